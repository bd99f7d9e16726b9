package io.magpie.das;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.magpie.das.internal.CommandBatch;
import io.magpie.das.internal.RouteCodec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RouteTable} on Redis: HASH {@code <prefix>route:<uid>}, field device id, value
 * {@code gateId|connectionId|platform|loginAtMillis}. Register and unregister are small Lua
 * scripts, so each is atomic; lookup pipelines one HGETALL per uid in one flush.
 *
 * <p>Thread-safe; shares the store's string connection.
 */
public final class RedisRouteTable implements RouteTable {

    /** HGET the old value and HSET the new one, atomically; returns the old value or nil. */
    static final String REGISTER = """
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return old""";

    /** HDEL only if the stored value is still the same connection (starts with gateId|connectionId|). */
    static final String UNREGISTER = """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if current and string.sub(current, 1, string.len(ARGV[2])) == ARGV[2] then
              return redis.call('HDEL', KEYS[1], ARGV[1])
            end
            return 0""";

    private static final Logger log = LoggerFactory.getLogger(RedisRouteTable.class);

    private final RedisStore store;
    private final RedisAsyncCommands<String, String> redis;

    public RedisRouteTable(RedisStore store) {
        this.store = store;
        this.redis = store.strings().async();
    }

    @Override
    public CompletableFuture<Optional<Route>> register(Route route) {
        String key = store.keys().route(route.uid());
        return redis.<String>eval(REGISTER, ScriptOutputType.VALUE, new String[] {key},
                        route.deviceId(), RouteCodec.encode(route))
                .toCompletableFuture()
                .thenApply(old -> old == null ? Optional.<Route>empty() : replaced(route, old));
    }

    private static Optional<Route> replaced(Route route, String oldValue) {
        try {
            return Optional.of(RouteCodec.decode(route.uid(), route.deviceId(), oldValue));
        } catch (IllegalArgumentException e) {
            // the new route is stored either way; an unreadable old one cannot be kicked
            log.warn("uid {} device {}: replaced an unreadable route: {}", route.uid(), route.deviceId(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<Boolean> unregister(Route route) {
        String key = store.keys().route(route.uid());
        return redis.<Long>eval(UNREGISTER, ScriptOutputType.INTEGER, new String[] {key},
                        route.deviceId(), RouteCodec.connectionPrefix(route))
                .toCompletableFuture()
                .thenApply(removed -> removed != null && removed > 0);
    }

    @Override
    public CompletableFuture<Map<Long, List<Route>>> lookup(Collection<Long> uids) {
        CommandBatch<String, String> batch = new CommandBatch<>(StringCodec.UTF8);
        Map<Long, CompletableFuture<Map<String, String>>> replies = new LinkedHashMap<>();
        for (Long uid : uids) {
            replies.computeIfAbsent(uid, u -> batch.hgetall(store.keys().route(u)));
        }
        return batch.dispatch(store.strings()).thenApply(done -> {
            Map<Long, List<Route>> routes = new LinkedHashMap<>();
            replies.forEach((uid, reply) -> routes.put(uid, decodeAll(uid, reply.join())));
            return routes;
        });
    }

    private static List<Route> decodeAll(long uid, Map<String, String> fields) {
        List<Route> routes = new ArrayList<>(fields.size());
        fields.forEach((deviceId, value) -> {
            try {
                routes.add(RouteCodec.decode(uid, deviceId, value));
            } catch (IllegalArgumentException e) {
                // one corrupt entry must not hide the user's other devices; it is reported, not used
                log.warn("uid {} device {}: ignoring unreadable route: {}", uid, deviceId, e.getMessage());
            }
        });
        return routes;
    }
}
