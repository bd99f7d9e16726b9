package io.magpie.engines.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/** A Redis someone else runs; checked with {@code INFO server} at start. */
public final class ExternalRedisServer implements RedisServer {

    private final String uri;
    private final String address;
    private final String version;

    private ExternalRedisServer(String uri, String address, String version) {
        this.uri = uri;
        this.address = address;
        this.version = version;
    }

    public static ExternalRedisServer connect(String uri) {
        RedisURI parsed = RedisURI.create(uri);
        parsed.setTimeout(Duration.ofSeconds(5));
        String address = parsed.getHost() + ":" + parsed.getPort();
        RedisClient client = RedisClient.create(parsed);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String version = "unknown";
            for (String line : connection.sync().info("server").split("\r?\n")) {
                if (line.startsWith("redis_version:")) {
                    version = line.substring("redis_version:".length()).trim();
                }
            }
            return new ExternalRedisServer(uri, address, version);
        } catch (RuntimeException e) {
            throw new IllegalStateException("external Redis " + address
                    + " (MAGPIE_REDIS_URL) is not reachable: " + e.getMessage(), e);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String describe() {
        return "redis " + version + " external " + address;
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
