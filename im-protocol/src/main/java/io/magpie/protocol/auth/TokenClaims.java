package io.magpie.protocol.auth;

import io.magpie.protocol.proto.Platform;
import java.util.regex.Pattern;

/**
 * What an access token asserts: who, on which device and platform, until when, and in which device
 * session.
 *
 * @param uid             the account's user id, positive
 * @param deviceId        the client's stable device id: 1-64 characters of {@code [A-Za-z0-9._:-]}
 * @param platform        the device's platform, never {@code PLATFORM_UNSPECIFIED}
 * @param expiresAtMillis expiry, ms since the Unix epoch
 * @param sessionId       the device session the token belongs to (positive, random, issued by the account
 *                        API at login and kept by refreshes); a gate and the API accept the token only while
 *                        it is the device's current session, so revoking the session revokes its tokens.
 *                        0 = not bound to a session: only a holder of the signing secret can mint such a
 *                        token (tests, the load tool); the account API never issues one
 */
public record TokenClaims(long uid, String deviceId, Platform platform, long expiresAtMillis, long sessionId) {

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
        if (sessionId < 0) {
            throw new IllegalArgumentException("session id must be 0 (unbound) or positive, got " + sessionId);
        }
    }

    /** Claims not bound to a device session (session id 0); see {@link #sessionId()}. */
    public TokenClaims(long uid, String deviceId, Platform platform, long expiresAtMillis) {
        this(uid, deviceId, platform, expiresAtMillis, 0);
    }

    /** True when the token names a device session that revocation can end. */
    public boolean boundToSession() {
        return sessionId != 0;
    }

    public static boolean validDeviceId(String deviceId) {
        return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
    }
}
