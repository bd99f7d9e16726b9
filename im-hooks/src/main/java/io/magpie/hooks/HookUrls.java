package io.magpie.hooks;

import java.net.URI;
import java.time.Duration;

/** Checks shared by the hook settings records. */
final class HookUrls {

    /** Shortest shared secret: shorter ones are guessable offline from one signed request. */
    static final int MIN_SECRET_CHARS = 16;

    private HookUrls() {
    }

    static void check(String name, URI url, String secret) {
        if (url == null) {
            return;
        }
        if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException(name + " must be an absolute http(s) URL with a host, got '" + url + "'");
        }
        if (secret == null || secret.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException(name + " is set, so its secret (hooks.secret or"
                    + " hooks.apps.<app>.secret) must be at least " + MIN_SECRET_CHARS + " characters, got "
                    + (secret == null ? "none" : secret.length()) + "; the endpoint verifies requests with it");
        }
    }

    static Duration range(String name, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
