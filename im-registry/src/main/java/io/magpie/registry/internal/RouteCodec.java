package io.magpie.registry.internal;

import io.magpie.registry.Route;

/**
 * Encodes a {@link Route} as the Redis hash value {@code gateId|connectionId|platform|loginAtMillis}; the
 * route table's register script appends {@code |expiresAtMillis} (Redis server time plus the route TTL),
 * which {@link #expiresAt} reads back. A value without it (written before routes expired) never expires
 * by itself.
 */
public final class RouteCodec {

    private RouteCodec() {
    }

    public static String encode(Route route) {
        return route.gateId() + '|' + route.connectionId() + '|' + route.platform() + '|' + route.loginAtMillis();
    }

    /** The prefix every value of the same connection starts with: {@code gateId|connectionId|}. */
    public static String connectionPrefix(Route route) {
        return route.gateId() + '|' + route.connectionId() + '|';
    }

    /**
     * Decodes the value stored under field {@code deviceId} of uid's route hash.
     *
     * @throws IllegalArgumentException naming the value if it is not a route
     */
    public static Route decode(long uid, String deviceId, String value) {
        String[] parts = value.split("\\|", -1);
        if (parts.length != 4 && parts.length != 5) {
            throw new IllegalArgumentException("route of uid " + uid + " device " + deviceId
                    + " is not gateId|connectionId|platform|loginAtMillis: '" + value + "'");
        }
        try {
            return new Route(uid, deviceId, parts[2], parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("route of uid " + uid + " device " + deviceId
                    + " has a non-numeric connection id or login time: '" + value + "'", e);
        }
    }

    /**
     * When the route stops counting unless refreshed (ms since the epoch), or {@link Long#MAX_VALUE} for a
     * value without an expiry.
     *
     * @throws IllegalArgumentException if the expiry is not a number
     */
    public static long expiresAt(String value) {
        String[] parts = value.split("\\|", -1);
        if (parts.length != 5) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(parts[4]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("route value has a non-numeric expiry: '" + value + "'", e);
        }
    }
}
