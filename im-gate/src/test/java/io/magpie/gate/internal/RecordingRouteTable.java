package io.magpie.gate.internal;

import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Unit-test seam for the route table interface: answers register with the route previously recorded
 * for that uid + device (or with a future the test completes by hand when {@link #holdRegistrations}
 * is set) and records every call. Not a Redis stand-in for integration tests: those use RedisRouteTable.
 */
final class RecordingRouteTable implements RouteTable {

    final Map<String, Route> current = new HashMap<>();
    final List<Route> registered = new ArrayList<>();
    final List<Route> unregistered = new ArrayList<>();
    final List<CompletableFuture<Optional<Route>>> held = new ArrayList<>();
    boolean holdRegistrations;
    /** When set, register and lookup fail with it (the store is down). */
    RuntimeException failWith;
    /** When set, lookup (only) fails with it. */
    RuntimeException lookupFailure;

    void seed(Route route) {
        current.put(key(route), route);
    }

    @Override
    public synchronized CompletableFuture<Optional<Route>> register(Route route) {
        if (failWith != null) {
            return CompletableFuture.failedFuture(failWith);
        }
        registered.add(route);
        Optional<Route> replaced = Optional.ofNullable(current.put(key(route), route));
        if (holdRegistrations) {
            CompletableFuture<Optional<Route>> future = new CompletableFuture<>();
            held.add(future);
            return future;
        }
        return CompletableFuture.completedFuture(replaced);
    }

    @Override
    public synchronized CompletableFuture<Boolean> unregister(Route route) {
        unregistered.add(route);
        Route now = current.get(key(route));
        boolean removed = now != null && now.sameConnection(route);
        if (removed) {
            current.remove(key(route));
        }
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public synchronized CompletableFuture<Map<Long, List<Route>>> lookup(Collection<Long> uids) {
        if (failWith != null || lookupFailure != null) {
            return CompletableFuture.failedFuture(failWith != null ? failWith : lookupFailure);
        }
        Map<Long, List<Route>> found = new HashMap<>();
        for (Long uid : uids) {
            found.put(uid, current.values().stream().filter(r -> r.uid() == uid).toList());
        }
        return CompletableFuture.completedFuture(found);
    }

    private static String key(Route route) {
        return route.uid() + "/" + route.deviceId();
    }
}
