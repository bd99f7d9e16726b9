package io.magpie.logic.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the expiring download URLs of media (docs/PROTOCOL.md §1.3): {@code <path>?exp=<epoch
 * seconds>&sig=<base64url HMAC-SHA256 of "media-v1|<mediaId>|<variant>|<exp>">}. Anyone holding such a URL can
 * download until {@code exp}; only a member of the media's conversation is given one. Thread-safe.
 */
public final class MediaUrlSigner {

    /** The variant of the original bytes; a thumbnail is {@code thumbnail}. */
    public static final String ORIGINAL = "original";
    public static final String THUMBNAIL = "thumbnail";

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration ttl;

    public MediaUrlSigner(byte[] key, Clock clock, Duration ttl) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The key URLs are signed with when {@code media.url-secret} is not set: derived from the token key. */
    public static byte[] derivedKey(byte[] tokenKey) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(tokenKey, ALGORITHM));
            return mac.doFinal("magpie media url key v1".getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** A signed URL: the path and query to GET, and when it stops working (epoch millis). */
    public record Signed(String url, long expiresAtMillis) {
    }

    /** Signs {@code path} (the media's stable URL) for {@code variant}, valid for the configured lifetime. */
    public Signed sign(String path, String mediaId, String variant) {
        long exp = clock.instant().plus(ttl).getEpochSecond();
        return new Signed(path + "?exp=" + exp + "&sig=" + signature(mediaId, variant, exp), exp * 1000);
    }

    /**
     * Checks a download's {@code exp} and {@code sig} query parameters.
     *
     * @throws ApiException 403 SIGNATURE_REQUIRED (missing), BAD_SIGNATURE (malformed or not ours: tampered, or
     *                      another media's), URL_EXPIRED (past {@code exp})
     */
    public void verify(String mediaId, String variant, String exp, String sig) throws ApiException {
        if (exp == null || sig == null) {
            throw new ApiException(403, "SIGNATURE_REQUIRED", "a media download needs the exp and sig of a signed"
                    + " URL; members get one from GET /v1/media/" + mediaId + "/url with their bearer token");
        }
        long expires;
        try {
            expires = Long.parseLong(exp);
        } catch (NumberFormatException e) {
            throw new ApiException(403, "BAD_SIGNATURE", "exp must be epoch seconds, got '"
                    + JsonBodies.abbreviate(exp) + "'; ask GET /v1/media/" + mediaId + "/url for a new URL");
        }
        byte[] expected = signature(mediaId, variant, expires).getBytes(StandardCharsets.US_ASCII);
        // constant time: the comparison must not tell how much of a guess was right
        if (!MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException(403, "BAD_SIGNATURE", "the signature does not match this URL (changed or"
                    + " truncated); ask GET /v1/media/" + mediaId + "/url for a new one");
        }
        if (clock.instant().getEpochSecond() >= expires) {
            throw new ApiException(403, "URL_EXPIRED", "this signed URL expired at " + expires + " (epoch seconds);"
                    + " ask GET /v1/media/" + mediaId + "/url for a new one");
        }
    }

    private String signature(String mediaId, String variant, long exp) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return B64.encodeToString(mac.doFinal(("media-v1|" + mediaId + "|" + variant + "|" + exp)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
