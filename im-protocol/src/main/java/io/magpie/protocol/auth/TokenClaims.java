package io.magpie.protocol.auth;

import io.magpie.protocol.proto.Platform;
import java.util.regex.Pattern;

/**
 * What a login token asserts: who, on which device and platform, until when.
 *
 * @param uid             the account's user id, positive
 * @param deviceId        the client's stable device id: 1-64 characters of {@code [A-Za-z0-9._:-]}
 * @param platform        the device's platform, never {@code PLATFORM_UNSPECIFIED}
 * @param expiresAtMillis expiry, ms since the Unix epoch
 */
public record TokenClaims(long uid, String deviceId, Platform platform, long expiresAtMillis) {

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    public TokenClaims {
        if (uid <= 0) {
            throw new IllegalArgumentException("uid must be positive, got " + uid);
        }
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device id must be 1-64 characters of [A-Za-z0-9._:-], got '"
                    + deviceId + "'");
        }
        if (platform == null || platform == Platform.PLATFORM_UNSPECIFIED || platform == Platform.UNRECOGNIZED) {
            throw new IllegalArgumentException("platform must be one of ANDROID, IOS, DESKTOP, WEB, got " + platform);
        }
    }

    public static boolean validDeviceId(String deviceId) {
        return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
    }
}
