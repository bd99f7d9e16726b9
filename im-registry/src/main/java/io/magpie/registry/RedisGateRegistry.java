package io.magpie.registry;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.magpie.registry.internal.CommandBatch;
import io.magpie.registry.internal.GateInfoCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link GateRegistry} on Redis, for deployments without Nacos: HASH {@code <prefix>gate:<gateId>}
 * with PEXPIRE = TTL, and SET {@code <prefix>gates} of ids. {@link #list()} removes the ids whose
 * hash has expired (a gate that crashed); a gate that publishes again reappears.
 *
 * <p>Thread-safe; shares the store's string connection.
 */
public final class RedisGateRegistry implements GateRegistry {

    /** Rewrite the hash, set its TTL and remember the id, atomically. */
    static final String PUBLISH = """
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 3))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
            return 1""";

    /** Forget the id only if its hash is (still) gone, so a concurrent publish is never undone. */
    static final String PRUNE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return redis.call('SREM', KEYS[2], ARGV[1])
            end
            return 0""";

    private static final Logger log = LoggerFactory.getLogger(RedisGateRegistry.class);

    private final RedisStore store;
    private final RedisAsyncCommands<String, String> redis;
    private final long ttlMillis;

    /**
     * @param ttl how long an entry lives without a new publish; gates should publish every ttl/3
     */
    public RedisGateRegistry(RedisStore store, Duration ttl) {
        this.store = Objects.requireNonNull(store, "store");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("gate registry ttl must be at least 1 ms, got " + ttl);
        }
        this.redis = store.strings().async();
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public CompletableFuture<Void> publish(GateInfo gate) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(ttlMillis));
        args.add(gate.gateId());
        GateInfoCodec.encode(gate).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        String[] keys = {store.keys().gate(gate.gateId()), store.keys().gates()};
        return redis.<Long>eval(PUBLISH, ScriptOutputType.INTEGER, keys, args.toArray(String[]::new))
                .toCompletableFuture()
                .thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Void> remove(String gateId) {
        CommandBatch<String, String> batch = new CommandBatch<>(StringCodec.UTF8);
        batch.evalInteger("redis.call('DEL', KEYS[1]) return redis.call('SREM', KEYS[2], ARGV[1])",
                List.of(store.keys().gate(gateId), store.keys().gates()), List.of(gateId));
        return batch.dispatch(store.strings());
    }

    @Override
    public CompletableFuture<List<GateInfo>> list() {
        return redis.smembers(store.keys().gates()).toCompletableFuture().thenCompose(ids -> {
            CommandBatch<String, String> reads = new CommandBatch<>(StringCodec.UTF8);
            Map<String, CompletableFuture<Map<String, String>>> replies = new TreeMap<>();
            for (String id : ids) {
                replies.put(id, reads.hgetall(store.keys().gate(id)));
            }
            return reads.dispatch(store.strings()).thenCompose(done -> collect(replies));
        });
    }

    private CompletableFuture<List<GateInfo>> collect(Map<String, CompletableFuture<Map<String, String>>> replies) {
        List<GateInfo> gates = new ArrayList<>();
        CommandBatch<String, String> prunes = new CommandBatch<>(StringCodec.UTF8);
        replies.forEach((id, reply) -> {
            Map<String, String> fields = reply.join();
            if (fields.isEmpty()) {
                prunes.evalInteger(PRUNE, List.of(store.keys().gate(id), store.keys().gates()), List.of(id))
                        .thenAccept(removed -> {
                            if (removed > 0) {
                                log.info("gate {}: registry entry expired; removed from {}", id, store.keys().gates());
                            }
                        });
            } else {
                decode(id, fields).ifPresent(gates::add);
            }
        });
        gates.sort(Comparator.comparing(GateInfo::gateId));
        return prunes.dispatch(store.strings()).thenApply(done -> gates);
    }

    @Override
    public CompletableFuture<Optional<GateInfo>> find(String gateId) {
        return redis.hgetall(store.keys().gate(gateId)).toCompletableFuture()
                .thenApply(fields -> fields.isEmpty() ? Optional.<GateInfo>empty() : decode(gateId, fields));
    }

    private static Optional<GateInfo> decode(String gateId, Map<String, String> fields) {
        try {
            return Optional.of(GateInfoCodec.decode(fields));
        } catch (IllegalArgumentException e) {
            // a malformed entry (another version's writer?) is reported and not offered to clients
            log.warn("gate {}: ignoring unreadable registry entry: {}", gateId, e.getMessage());
            return Optional.empty();
        }
    }
}
