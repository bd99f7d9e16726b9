package io.magpie.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleSecretsTest {

    @ParameterizedTest
    @ValueSource(strings = {"change-me-to-32-or-more-random-bytes!!", "magpie-example-secret-0123456789",
            "  change-me-to-32-or-more-random-bytes!!  ", "REPLACE-ME-with-48-random-bytes-openssl-rand-base64",
            "this is an EXAMPLE secret of more than 32 bytes"})
    void refusesPublishedSecretsAndPlaceholders(String secret) {
        assertNotNull(SampleSecrets.whyRefused(secret), secret);
    }

    @Test
    void acceptsARandomKey() {
        assertNull(SampleSecrets.whyRefused("q8H1xZ3v0sTt9yKQ7uFJ2mWc4bN6pLr5"));
        assertNull(SampleSecrets.whyRefused(null));
        assertTrue(SampleSecrets.whyRefused("change-me-to-32-or-more-random-bytes!!").contains("sample secret"));
    }
}
