package io.magpie.gate.internal;

import io.magpie.registry.Route;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ONE_PER_PLATFORM_CLASS} device policy, decided for one login from the routes of its
 * user: every session of the same platform class on another device that is older than the login
 * must go; if one of them is newer, the login itself must go (two logins raced; {@link RouteOrder}
 * makes both gates agree). Routes of the same device are not this policy's business (the route table
 * keeps one per device and the login kicks the one it replaced). Stateless.
 */
final class PlatformSessionPolicy {

    private PlatformSessionPolicy() {
    }

    /**
     * @param older sessions of the same class to kick, oldest first
     * @param newer a newer session of the same class, if any: then the login loses
     */
    record Decision(PlatformClass platformClass, List<Route> older, Optional<Route> newer) {

        static final Decision NONE = new Decision(null, List.of(), Optional.empty());
    }

    static Decision decide(Route login, Collection<Route> routesOfUser) {
        Optional<PlatformClass> platformClass = PlatformClass.of(login.platform());
        if (platformClass.isEmpty()) {
            return Decision.NONE;
        }
        List<Route> older = new ArrayList<>();
        Route newer = null;
        for (Route route : routesOfUser) {
            if (route.uid() != login.uid() || route.deviceId().equals(login.deviceId())
                    || !PlatformClass.of(route.platform()).equals(platformClass)) {
                continue;
            }
            if (RouteOrder.newer(route, login)) {
                if (newer == null || RouteOrder.newer(route, newer)) {
                    newer = route;
                }
            } else {
                older.add(route);
            }
        }
        older.sort(RouteOrder.OLDEST_FIRST);
        return new Decision(platformClass.get(), List.copyOf(older), Optional.ofNullable(newer));
    }
}
