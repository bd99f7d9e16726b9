package io.magpie.protocol.auth;

import io.magpie.protocol.proto.Platform;
import java.util.regex.Pattern;

/**
 * What an access token asserts: who, on which device and platform, until when, in which device
 * session, and for which app.
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
 * @param appId           the app (business line) the client logged in for, 1-64 characters of
 *                        {@code [A-Za-z0-9._-]} like a gate's {@code gate.app-ids}; null when the login named none
 *                        (and in tokens minted before the claim existed). A gate serving specific apps admits
 *                        only tokens of one of them
 */
public record TokenClaims(long uid, String deviceId, Platform platform, long expiresAtMillis, long sessionId,
                          String appId) {

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** What an app id may be, for messages. */
    public static final String APP_ID_RULE = "1-64 characters of [A-Za-z0-9._-]";

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
        if (appId != null && !validAppId(appId)) {
            throw new IllegalArgumentException("app id must be " + APP_ID_RULE + ", got '" + abbreviate(appId) + "'");
        }
    }

    /** Claims without an app id. */
    public TokenClaims(long uid, String deviceId, Platform platform, long expiresAtMillis, long sessionId) {
        this(uid, deviceId, platform, expiresAtMillis, sessionId, null);
    }

    /** Claims not bound to a device session (session id 0); see {@link #sessionId()}. */
    public TokenClaims(long uid, String deviceId, Platform platform, long expiresAtMillis) {
        this(uid, deviceId, platform, expiresAtMillis, 0, null);
    }

    /** True when the token names a device session that revocation can end. */
    public boolean boundToSession() {
        return sessionId != 0;
    }

    public static boolean validDeviceId(String deviceId) {
        return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
    }

    /** Whether {@code appId} is a valid app id ({@value #APP_ID_RULE}), the same rule as {@code gate.app-ids}. */
    public static boolean validAppId(String appId) {
        return appId != null && APP_ID.matcher(appId).matches();
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 70) + "...";
    }
}
