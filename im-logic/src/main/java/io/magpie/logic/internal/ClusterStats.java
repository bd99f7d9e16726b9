package io.magpie.logic.internal;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import io.magpie.registry.RedisStore;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster's live state for an operator ({@code GET /v1/admin/stats}), counted from the route table in
 * Redis, the one place every gate writes its connections to: online users (users with at least one live
 * route), connections, and both per gate. It SCANs the route keys ({@value #PAGE} per round trip) and reads
 * them in batches, so its cost grows with the online users: for occasional use, not for polling every
 * second (the gates' own counts are in {@code /metrics}). Routes past their TTL are not counted. Thread-safe;
 * blocking (Redis waits).
 */
public final class ClusterStats {

    static final int PAGE = 1_000;
    private static final long REDIS_WAIT_MS = 10_000;

    /** One gate's share. */
    public record GateStats(String gateId, long connections, long onlineUsers) {
    }

    /** The whole cluster; {@code gates} ascending by gate id. */
    public record Stats(long onlineUsers, long connections, List<GateStats> gates) {
    }

    private final RedisStore redis;
    private final RouteTable routes;

    public ClusterStats(RedisStore redis, RouteTable routes) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    public Stats read() throws ApiException {
        long[] totals = new long[2]; // users, connections
        Map<String, long[]> perGate = new TreeMap<>(); // gate -> {connections, users}
        scan((uid, live) -> {
            totals[0]++;
            totals[1] += live.size();
            live.stream().map(Route::gateId).distinct().forEach(g -> perGate.computeIfAbsent(g,
                    k -> new long[2])[1]++);
            live.forEach(r -> perGate.computeIfAbsent(r.gateId(), k -> new long[2])[0]++);
        });
        List<GateStats> gates = new ArrayList<>(perGate.size());
        perGate.forEach((gate, n) -> gates.add(new GateStats(gate, n[0], n[1])));
        return new Stats(totals[0], totals[1], gates);
    }

    /** The uids with at least one live route now, in the order Redis lists them (an operator's broadcast). */
    public List<Long> onlineUids() throws ApiException {
        List<Long> uids = new ArrayList<>();
        scan((uid, live) -> uids.add(uid));
        return uids;
    }

    /** Calls {@code online} for every user with a live route, page by page. */
    private void scan(java.util.function.BiConsumer<Long, List<Route>> online) throws ApiException {
        RedisCommands<String, String> sync = redis.strings().sync();
        String prefix = redis.keys().route(0).substring(0, redis.keys().route(0).length() - 1);
        ScanArgs args = ScanArgs.Builder.matches(escapeGlob(prefix) + "*").limit(PAGE);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = sync.scan(cursor, args);
            List<Long> uids = new ArrayList<>(page.getKeys().size());
            for (String key : page.getKeys()) {
                String tail = key.substring(prefix.length());
                if (!tail.isEmpty() && tail.chars().allMatch(Character::isDigit) && tail.length() <= 18) {
                    uids.add(Long.parseLong(tail));
                }
            }
            lookup(uids).forEach((uid, live) -> {
                if (!live.isEmpty()) {
                    online.accept(uid, live);
                }
            });
            cursor = page;
        } while (!cursor.isFinished());
    }

    private Map<Long, List<Route>> lookup(List<Long> uids) throws ApiException {
        if (uids.isEmpty()) {
            return Map.of();
        }
        try {
            return routes.lookup(uids).get(REDIS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(e);
        } catch (ExecutionException | TimeoutException e) {
            throw busy(e);
        }
    }

    private static ApiException busy(Exception e) {
        ApiException busy = new ApiException(503, "SERVER_BUSY", "the route table (Redis) did not answer in "
                + REDIS_WAIT_MS + " ms while counting the online users; try again later");
        busy.initCause(e);
        return busy;
    }

    /** The key prefix is the operator's: its glob characters match themselves only. */
    static String escapeGlob(String s) {
        StringBuilder out = new StringBuilder(s.length() + 4);
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
