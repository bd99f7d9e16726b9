package io.magpie.logic.internal;

import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.Platform;
import java.util.regex.Pattern;

/**
 * Checks of what clients send to the account API; each failure says what is allowed. Stateless.
 */
public final class AccountInput {

    public static final int USERNAME_MIN = 3;
    public static final int USERNAME_MAX = 32;
    public static final int PASSWORD_MIN = 8;
    public static final int PASSWORD_MAX = 128;
    public static final int NICKNAME_MAX = 64;
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.-]{" + USERNAME_MIN + "," + USERNAME_MAX + "}");

    private AccountInput() {
    }

    public static String username(String username) throws ApiException {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ApiException.badRequest("username must be " + USERNAME_MIN + "-" + USERNAME_MAX
                    + " characters of a-z, 0-9, '_', '.', '-'");
        }
        return username;
    }

    public static String password(String password) throws ApiException {
        if (password == null || password.length() < PASSWORD_MIN || password.length() > PASSWORD_MAX) {
            throw ApiException.badRequest("password must be " + PASSWORD_MIN + "-" + PASSWORD_MAX + " characters, got "
                    + (password == null ? "none" : password.length()));
        }
        return password;
    }

    /** The nickname to store; the username when none is given. */
    public static String nickname(String nickname, String username) throws ApiException {
        if (nickname == null || nickname.isBlank()) {
            return username;
        }
        String trimmed = nickname.strip();
        if (trimmed.length() > NICKNAME_MAX || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("nickname must be at most " + NICKNAME_MAX
                    + " characters without control characters");
        }
        return trimmed;
    }

    public static String deviceId(String deviceId) throws ApiException {
        if (!TokenClaims.validDeviceId(deviceId)) {
            throw ApiException.badRequest("deviceId must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'");
        }
        return deviceId;
    }

    /** The login's app id, null when absent (JSON null or no field); an empty or malformed one is refused. */
    public static String appId(String appId) throws ApiException {
        if (appId == null) {
            return null;
        }
        if (!TokenClaims.validAppId(appId)) {
            throw ApiException.badRequest("appId must be " + TokenClaims.APP_ID_RULE + " (the app ids gates list in"
                    + " gate.app-ids), got '" + abbreviate(appId) + "'; leave it out for no app");
        }
        return appId;
    }

    public static Platform platform(String platform) throws ApiException {
        if (platform != null) {
            switch (platform) {
                case "ANDROID":
                    return Platform.ANDROID;
                case "IOS":
                    return Platform.IOS;
                case "DESKTOP":
                    return Platform.DESKTOP;
                case "WEB":
                    return Platform.WEB;
                default:
                    break;
            }
        }
        throw ApiException.badRequest("platform must be one of ANDROID, IOS, DESKTOP, WEB, got "
                + (platform == null ? "none" : "'" + abbreviate(platform) + "'"));
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "...";
    }
}
