package io.magpie.protocol.auth;

import java.util.List;
import java.util.Locale;

/**
 * Refuses token secrets that anyone can read: the ones printed in the repository's sample files
 * (deploy/config, docker-compose.yml, README, docs) and placeholders that say to change them. A role
 * that signed tokens with one would let anybody mint a login for any user. {@code magpie standalone}
 * generates a random secret and never meets this check. Stateless.
 */
public final class SampleSecrets {

    /** Secrets that appear, or appeared, in the repository. */
    static final List<String> PUBLISHED = List.of(
            "change-me-to-32-or-more-random-bytes!!",
            "magpie-example-secret-0123456789");
    /** Words that mark a placeholder rather than a key someone generated. */
    private static final List<String> PLACEHOLDER_WORDS = List.of("change-me", "changeme", "replace-me",
            "replaceme", "example", "placeholder", "set-me", "your-secret");

    private SampleSecrets() {
    }

    /** Why {@code secret} must not be used, or null when it may. */
    public static String whyRefused(String secret) {
        if (secret == null) {
            return null;
        }
        String trimmed = secret.strip();
        if (PUBLISHED.contains(trimmed)) {
            return "it is the sample secret published in Magpie's repository";
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        for (String word : PLACEHOLDER_WORDS) {
            if (lower.contains(word)) {
                return "it is a placeholder (contains '" + word + "')";
            }
        }
        return null;
    }
}
