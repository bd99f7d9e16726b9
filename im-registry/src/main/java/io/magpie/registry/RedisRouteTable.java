package io.magpie.registry;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.magpie.registry.internal.CommandBatch;
import io.magpie.registry.internal.RouteCodec;
import java.time.Clock;
import java.time.Duration;
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
 * {@code gateId|connectionId|platform|loginAtMillis|expiresAtMillis}. Register and unregister are small
 * Lua scripts, so each is atomic; lookup pipelines one HGETALL per uid in one flush.
 *
 * <p>Routes expire unless refreshed: register (which every gate repeats for each of its sessions every
 * {@code gate.route-refresh}) stamps the value with Redis's own time plus the TTL and sets the hash's TTL,
 * so the routes of a gate that died without unregistering stop counting after one TTL: lookup ignores
 * an expired field (and removes it, conditionally), and a hash nobody refreshed disappears whole.
 *
 * <p>Thread-safe; shares the store's string connection.
 */
public final class RedisRouteTable implements RouteTable {

    /** HGET the old value and HSET the new one, atomically; returns the old value or nil. */
    static final String REGISTER = """
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[3])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. (now + ttl))
            redis.call('PEXPIRE', KEYS[1], ttl)
            return old""";

    /** HDEL only if the stored value is still the same connection (starts with gateId|connectionId|). */
    static final String UNREGISTER = """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if current and string.sub(current, 1, string.len(ARGV[2])) == ARGV[2] then
              return redis.call('HDEL', KEYS[1], ARGV[1])
            end
            return 0""";

    private static final Logger log = LoggerFactory.getLogger(RedisRouteTable.class);

    /** Route lifetime without a refresh when none is given: three default gate route refreshes. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(90);

    private final RedisStore store;
    private final RedisAsyncCommands<String, String> redis;
    private final Duration ttl;
    private final Clock clock;

    /** Routes live {@link #DEFAULT_TTL} without a refresh. */
    public RedisRouteTable(RedisStore store) {
        this(store, DEFAULT_TTL, Clock.systemUTC());
    }

    /**
     * @param ttl   how long a route counts without being registered again: a multiple of the gates'
     *              {@code gate.route-refresh} (Settings uses 3), so one lost refresh drops nobody
     * @param clock compared with the expiry Redis stamped; hosts keep clocks in sync, and a TTL of tens
     *              of seconds makes seconds of skew harmless
     */
    public RedisRouteTable(RedisStore store, Duration ttl, Clock clock) {
        this.store = store;
        this.redis = store.strings().async();
        if (ttl == null || ttl.toMillis() < 1000) {
            throw new IllegalArgumentException("route TTL must be at least 1 s, got " + ttl);
        }
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Optional<Route>> register(Route route) {
        String key = store.keys().route(route.uid());
        return redis.<String>eval(REGISTER, ScriptOutputType.VALUE, new String[] {key},
                        route.deviceId(), RouteCodec.encode(route), Long.toString(ttl.toMillis()))
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
            long now = clock.millis();
            Map<Long, List<Route>> routes = new LinkedHashMap<>();
            replies.forEach((uid, reply) -> routes.put(uid, decodeAll(uid, reply.join(), now)));
            return routes;
        });
    }

    private List<Route> decodeAll(long uid, Map<String, String> fields, long now) {
        List<Route> routes = new ArrayList<>(fields.size());
        fields.forEach((deviceId, value) -> {
            try {
                Route route = RouteCodec.decode(uid, deviceId, value);
                if (RouteCodec.expiresAt(value) < now) {
                    expired(route);
                } else {
                    routes.add(route);
                }
            } catch (IllegalArgumentException e) {
                // one corrupt entry must not hide the user's other devices; it is reported, not used
                log.warn("uid {} device {}: ignoring unreadable route: {}", uid, deviceId, e.getMessage());
            }
        });
        return routes;
    }

    /** Not refreshed for a TTL: its gate is gone. Removed only if it is still the same connection. */
    private void expired(Route route) {
        log.debug("uid {} device {}: route to gate {} connection {} expired; removing it", route.uid(),
                route.deviceId(), route.gateId(), route.connectionId());
        unregister(route).whenComplete((removed, e) -> {
            if (e != null) {
                log.warn("uid {} device {}: could not remove an expired route: {}", route.uid(), route.deviceId(),
                        e.toString());
            }
        });
    }
}
