package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(1_000, new SecureRandom());

    @Test
    void verifiesTheRightPasswordAndRejectsAWrongOne() {
        String stored = hasher.hash("correct horse battery");

        assertTrue(hasher.verify("correct horse battery", stored));
        assertFalse(hasher.verify("correct horse batterY", stored));
        assertFalse(hasher.verify("", stored));
    }

    @Test
    void storesSchemeIterationsSaltAndHash() {
        String[] parts = hasher.hash("password1").split("\\$");

        assertEquals(4, parts.length);
        assertEquals("pbkdf2-sha256", parts[0]);
        assertEquals("1000", parts[1]);
        assertEquals(16, java.util.Base64.getDecoder().decode(parts[2]).length);
        assertEquals(32, java.util.Base64.getDecoder().decode(parts[3]).length);
    }

    @Test
    void theSamePasswordGetsADifferentSaltEachTime() {
        assertNotEquals(hasher.hash("password1"), hasher.hash("password1"));
    }

    @Test
    void aHashWithFewerIterationsStillVerifiesAndAsksForARehash() {
        String old = new PasswordHasher(500, new SecureRandom()).hash("password1");

        assertTrue(hasher.verify("password1", old));
        assertTrue(hasher.needsRehash(old));
        assertFalse(hasher.needsRehash(hasher.hash("password1")));
    }

    @Test
    void aCorruptStoredValueIsAnErrorNotAWrongPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hasher.verify("password1", "md5$abc"));
        assertTrue(e.getMessage().contains("pbkdf2-sha256$<iterations>"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> hasher.verify("password1", "pbkdf2-sha256$x$AAAA$AAAA"));
    }
}
