package io.magpie.gate.internal;

import java.util.Optional;

/**
 * The classes of platform the {@code ONE_PER_PLATFORM_CLASS} device policy limits to one session
 * each: MOBILE (ANDROID, IOS), DESKTOP and WEB.
 */
enum PlatformClass {
    MOBILE, DESKTOP, WEB;

    /**
     * The class of a protocol {@code Platform} name as stored in routes; empty for an unspecified or
     * unknown platform, which no policy limits.
     */
    static Optional<PlatformClass> of(String platform) {
        return switch (platform) {
            case "ANDROID", "IOS" -> Optional.of(MOBILE);
            case "DESKTOP" -> Optional.of(DESKTOP);
            case "WEB" -> Optional.of(WEB);
            default -> Optional.empty();
        };
    }
}
