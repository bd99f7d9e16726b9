package io.magpie.das;

import java.util.Objects;

/**
 * A row of {@code device_token}: where push notifications for one device of a user go while it is
 * offline. One per (uid, device); registering again replaces the token. Immutable.
 *
 * @param uid       the user
 * @param deviceId  the device (as in the login token)
 * @param platform  protocol {@code Platform} name (ANDROID, IOS, DESKTOP, WEB)
 * @param provider  the notification adapter that delivers to this token, lower case ({@code webhook},
 *                  {@code apns}, {@code fcm}, ...)
 * @param token     the provider's address of the device (opaque to Magpie)
 * @param updatedAt when it was registered, ms since the epoch
 */
public record DeviceToken(long uid, String deviceId, String platform, String provider, String token,
        long updatedAt) {

    public DeviceToken {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(token, "token");
    }
}
