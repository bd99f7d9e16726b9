package io.magpie.das;

import java.util.Objects;

/**
 * A row of {@code device_session}: the current login of one device.
 *
 * @param uid                 the account
 * @param deviceId            the device
 * @param sessionId           random, positive; carried by the device's access tokens
 * @param platform            the platform number the tokens carry
 * @param refreshHash         SHA-256 of the current refresh token (32 bytes)
 * @param previousRefreshHash SHA-256 of the refresh token the last rotation replaced, or null
 * @param refreshExpiresAt    when the current refresh token stops working, ms since the epoch
 * @param createdAt           login time, ms
 * @param refreshedAt         last rotation (or login) time, ms
 * @param appId               the app the device logged in for, carried by its access tokens; null for none
 */
public record DeviceSession(long uid, String deviceId, long sessionId, int platform, byte[] refreshHash,
        byte[] previousRefreshHash, long refreshExpiresAt, long createdAt, long refreshedAt, String appId) {

    /** A session of no particular app. */
    public DeviceSession(long uid, String deviceId, long sessionId, int platform, byte[] refreshHash,
            byte[] previousRefreshHash, long refreshExpiresAt, long createdAt, long refreshedAt) {
        this(uid, deviceId, sessionId, platform, refreshHash, previousRefreshHash, refreshExpiresAt, createdAt,
                refreshedAt, null);
    }

    public DeviceSession {
        Objects.requireNonNull(deviceId, "deviceId");
        if (refreshHash == null || refreshHash.length != 32) {
            throw new IllegalArgumentException("refresh hash must be 32 bytes (SHA-256)");
        }
        if (sessionId <= 0) {
            throw new IllegalArgumentException("session id must be positive, got " + sessionId);
        }
    }
}
