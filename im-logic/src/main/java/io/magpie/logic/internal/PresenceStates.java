package io.magpie.logic.internal;

import io.magpie.das.PresenceSettings;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PresenceState;
import io.magpie.registry.Route;
import java.util.Collection;
import java.util.TreeSet;

/**
 * A user's presence as others see it (docs/PROTOCOL.md §9.14), from their routes (who is connected, on
 * which platform) and their stored setting. Pure and stateless.
 * <ul>
 *   <li>online = at least one route; platforms = the routes' platforms, ascending, without repeats;</li>
 *   <li>a user who hides presence reads as offline with no last seen (their status text stays);</li>
 *   <li>last seen is given only while offline.</li>
 * </ul>
 * What a viewer who is blocked by the user sees is {@link #blocked(long)}: offline, nothing else.
 */
public final class PresenceStates {

    private PresenceStates() {
    }

    /** The state of {@code uid} with these live routes and this setting. */
    public static PresenceState of(long uid, Collection<Route> routes, PresenceSettings.Setting setting) {
        PresenceState.Builder state = PresenceState.newBuilder().setUid(uid).setStatusText(setting.statusText());
        if (setting.hidden()) {
            return state.build();
        }
        if (routes.isEmpty()) {
            return state.setLastSeen(setting.lastSeenMillis()).build();
        }
        TreeSet<Integer> platforms = new TreeSet<>();
        for (Route route : routes) {
            platforms.add(platformNumber(route.platform()));
        }
        state.setOnline(true).setDeviceCount(routes.size());
        platforms.forEach(state::addPlatformsValue);
        return state.build();
    }

    /** What a user shows someone they blocked: offline, no last seen, no status. */
    public static PresenceState blocked(long uid) {
        return PresenceState.newBuilder().setUid(uid).build();
    }

    private static int platformNumber(String name) {
        try {
            return Platform.valueOf(name).getNumber();
        } catch (IllegalArgumentException e) {
            return Platform.PLATFORM_UNSPECIFIED_VALUE; // a route written by a newer gate: online, platform unknown
        }
    }
}
