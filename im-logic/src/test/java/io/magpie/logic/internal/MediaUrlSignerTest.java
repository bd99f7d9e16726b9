package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MediaUrlSignerTest {

    private static final byte[] KEY = "a-media-url-key-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private final MediaUrlSigner signer = new MediaUrlSigner(KEY, clock, Duration.ofMinutes(15));

    @Test
    void aSignedUrlCarriesItsExpiryAndVerifiesUntilThen() throws Exception {
        MediaUrlSigner.Signed s = signer.sign("/v1/media/abc", "abc", MediaUrlSigner.ORIGINAL);

        assertEquals(1_800_000_900_000L, s.expiresAtMillis());
        assertTrue(s.url().startsWith("/v1/media/abc?exp=1800000900&sig="), s.url());
        String sig = s.url().substring(s.url().indexOf("&sig=") + 5);
        signer.verify("abc", MediaUrlSigner.ORIGINAL, "1800000900", sig);
        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        signer.verify("abc", MediaUrlSigner.ORIGINAL, "1800000900", sig);
        clock.advance(Duration.ofSeconds(1));
        assertCode("URL_EXPIRED", () -> signer.verify("abc", MediaUrlSigner.ORIGINAL, "1800000900", sig));
    }

    @Test
    void anotherIdVariantExpiryOrKeyDoesNotVerify() throws Exception {
        String url = signer.sign("/v1/media/abc", "abc", MediaUrlSigner.ORIGINAL).url();
        String sig = url.substring(url.indexOf("&sig=") + 5);

        assertCode("BAD_SIGNATURE", () -> signer.verify("abd", MediaUrlSigner.ORIGINAL, "1800000900", sig));
        assertCode("BAD_SIGNATURE", () -> signer.verify("abc", MediaUrlSigner.THUMBNAIL, "1800000900", sig));
        assertCode("BAD_SIGNATURE", () -> signer.verify("abc", MediaUrlSigner.ORIGINAL, "1800000901", sig));
        assertCode("BAD_SIGNATURE", () -> signer.verify("abc", MediaUrlSigner.ORIGINAL, "soon", sig));
        MediaUrlSigner other = new MediaUrlSigner(MediaUrlSigner.derivedKey(KEY), clock, Duration.ofMinutes(15));
        assertCode("BAD_SIGNATURE", () -> other.verify("abc", MediaUrlSigner.ORIGINAL, "1800000900", sig));
        assertCode("SIGNATURE_REQUIRED", () -> signer.verify("abc", MediaUrlSigner.ORIGINAL, null, sig));
    }

    private static void assertCode(String code, org.junit.jupiter.api.function.Executable call) {
        ApiException e = assertThrows(ApiException.class, call);
        assertEquals(403, e.status());
        assertEquals(code, e.code(), e.getMessage());
    }
}
