package io.magpie.registry;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections of one process: one Lettuce {@link RedisClient}, one shared
 * {@code String} connection and one shared {@code byte[]} connection (Lettuce connections are
 * thread-safe and multiplex every caller). Never switch auto-flush off on them: other callers
 * share them; batch with {@code dispatch} instead.
 *
 * <p>Thread-safe. The caller that connected it owns it and closes it at shutdown.
 */
public final class RedisStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> strings;
    private final StatefulRedisConnection<byte[], byte[]> bytes;
    private final RedisKeys keys;

    private RedisStore(RedisClient client, StatefulRedisConnection<String, String> strings,
                       StatefulRedisConnection<byte[], byte[]> bytes, RedisKeys keys) {
        this.client = client;
        this.strings = strings;
        this.bytes = bytes;
        this.keys = keys;
    }

    /**
     * Connects both connections.
     *
     * @throws StorageException (retryable) if Redis cannot be reached
     */
    public static RedisStore connect(RedisConfig config) {
        RedisURI uri = RedisURI.create(config.uri());
        uri.setTimeout(config.commandTimeout());
        RedisClient client = RedisClient.create(uri);
        // every command, and every (re)connect attempt, is bounded by the command timeout; keepalive
        // lets the kernel find a half-open socket that no command is using
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(config.commandTimeout()).keepAlive(true).build())
                .build());
        StatefulRedisConnection<String, String> strings = null;
        try {
            strings = client.connect();
            StatefulRedisConnection<byte[], byte[]> bytes = client.connect(ByteArrayCodec.INSTANCE);
            log.info("redis {}:{}: connected, key prefix '{}'", uri.getHost(), uri.getPort(), config.keyPrefix());
            return new RedisStore(client, strings, bytes, new RedisKeys(config.keyPrefix()));
        } catch (RedisException e) {
            if (strings != null) {
                strings.close();
            }
            client.shutdown();
            throw new StorageException("cannot connect to redis " + uri.getHost() + ":" + uri.getPort() + ": "
                    + e.getMessage(), e, true);
        }
    }

    /** The shared connection for string keys and values. */
    public StatefulRedisConnection<String, String> strings() {
        return strings;
    }

    /** The shared connection for binary values; keys via {@link RedisKeys#bytes(String)}. */
    public StatefulRedisConnection<byte[], byte[]> bytes() {
        return bytes;
    }

    public RedisKeys keys() {
        return keys;
    }

    @Override
    public void close() {
        try {
            bytes.close();
            strings.close();
        } finally {
            client.shutdown();
        }
    }
}
