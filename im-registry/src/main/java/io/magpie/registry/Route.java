package io.magpie.registry;

import java.util.Objects;

/**
 * Where one device of a user is connected: the gate and the connection on it. Stored in Redis as
 * {@code gateId|connectionId|platform|loginAtMillis} under field {@code deviceId} of
 * {@code <prefix>route:<uid>}.
 *
 * @param uid           authenticated user id
 * @param deviceId      device id from the token; non-blank
 * @param platform      protocol {@code Platform} name (ANDROID, IOS, ...); no {@code '|'}
 * @param gateId        gate that holds the connection; non-blank, no {@code '|'}
 * @param connectionId  connection id, unique within the gate
 * @param loginAtMillis when the session logged in (ms since the epoch)
 */
public record Route(long uid, String deviceId, String platform, String gateId, long connectionId,
                    long loginAtMillis) {

    public Route {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(gateId, "gateId");
        if (deviceId.isBlank()) {
            throw new IllegalArgumentException("route deviceId must not be blank (uid " + uid + ")");
        }
        if (gateId.isBlank() || gateId.indexOf('|') >= 0) {
            throw new IllegalArgumentException("route gateId must be non-blank without '|', got '" + gateId + "'");
        }
        if (platform.indexOf('|') >= 0) {
            throw new IllegalArgumentException("route platform must not contain '|', got '" + platform + "'");
        }
    }

    /** Whether {@code other} is the same connection (same gate and connection id). */
    public boolean sameConnection(Route other) {
        return gateId.equals(other.gateId) && connectionId == other.connectionId;
    }
}
