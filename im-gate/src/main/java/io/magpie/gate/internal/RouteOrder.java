package io.magpie.gate.internal;

import io.magpie.registry.Route;
import java.util.Comparator;

/**
 * Which of two sessions logged in later. Login time (the gate's clock) first, then gate id, then
 * connection id: a total order, so two gates judging the same pair of routes always agree on one
 * survivor. Stateless.
 */
final class RouteOrder {

    /** Oldest login first. */
    static final Comparator<Route> OLDEST_FIRST = Comparator.comparingLong(Route::loginAtMillis)
            .thenComparing(Route::gateId)
            .thenComparingLong(Route::connectionId);

    private RouteOrder() {
    }

    /** True when {@code a} is the newer login of the two. */
    static boolean newer(Route a, Route b) {
        return OLDEST_FIRST.compare(a, b) > 0;
    }
}
