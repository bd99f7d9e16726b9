package io.magpie.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * uid -> device -> (gate, connection): written by gates at login and logout, read by routers to
 * find where to push. One route per (uid, device): a newer login of the same device replaces
 * the older one.
 *
 * <p>Implementations are thread-safe and non-blocking; futures complete on the store's I/O
 * threads, so do not block inside their callbacks.
 */
public interface RouteTable {

    /**
     * Stores {@code route} for its (uid, device), atomically returning the route it replaced, if
     * any: the caller kicks that older session when it is another connection.
     */
    CompletableFuture<Optional<Route>> register(Route route);

    /**
     * Removes the route of (uid, device) only if it still points at the same connection
     * (gate id and connection id) as {@code route}; a newer login's route is left alone.
     *
     * @return whether a route was removed
     */
    CompletableFuture<Boolean> unregister(Route route);

    /**
     * The routes of many users in one round trip. Every requested uid is a key of the result;
     * an empty list means that user has no live route (offline).
     */
    CompletableFuture<Map<Long, List<Route>>> lookup(Collection<Long> uids);

    /**
     * Removes the routes of {@code uid} that point at one of {@code connectionIds} on {@code gateId}: a gate
     * said it has no such connection (GATE_PUSH_ACK {@code missing_connection_ids}), so the route is stale.
     * Each removal is conditional like {@link #unregister}: a newer login of the same device keeps its route.
     *
     * @return how many routes were removed
     */
    default CompletableFuture<Integer> prune(long uid, String gateId, Collection<Long> connectionIds) {
        return lookup(List.of(uid)).thenCompose(found -> {
            List<CompletableFuture<Boolean>> removals = found.getOrDefault(uid, List.of()).stream()
                    .filter(r -> r.gateId().equals(gateId) && connectionIds.contains(r.connectionId()))
                    .map(this::unregister)
                    .toList();
            return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .thenApply(v -> (int) removals.stream().filter(CompletableFuture::join).count());
        });
    }
}
