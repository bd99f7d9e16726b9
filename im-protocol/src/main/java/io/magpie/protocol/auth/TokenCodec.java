package io.magpie.protocol.auth;

import io.magpie.protocol.proto.Platform;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies HMAC-SHA256 signed access tokens, so a gate checks a login without a round
 * trip. Token = base64url(payload) "." base64url(hmac(key of keyId, payload)), payload =
 * {@code v2|keyId|uid|deviceId|platformNumber|expiresAtMillis|sessionId}, followed by {@code |appId} when the
 * claims carry an app id. A token without an app id is byte for byte what versions before the claim issued, so
 * tokens minted before and after it verify alike; a token with one is refused by a gate older than the claim
 * (upgrade the gates and the logic nodes first). The key id lets several keys
 * verify while one signs ({@link TokenKeys}), so the secret rotates without logging anyone out.
 * Signature and expiry are all this class checks; whether the session is still current (not revoked)
 * is the caller's second check ({@link TokenClaims#sessionId()}). Every role that shares the keys
 * accepts the tokens of the others. Thread-safe.
 */
public final class TokenCodec {

    private static final String ALGORITHM = "HmacSHA256";
    private static final String VERSION = "v2";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int MAX_TOKEN_CHARS = 512;

    private final TokenKeys keys;
    private final Clock clock;

    public TokenCodec(TokenKeys keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One key (id {@value TokenKeys#DEFAULT_KEY_ID}): at least 32 bytes, shared by the account API and every gate. */
    public TokenCodec(byte[] secret, Clock clock) {
        this(TokenKeys.single(secret), clock);
    }

    public TokenKeys keys() {
        return keys;
    }

    /** Signs {@code claims} with the signing key. */
    public String issue(TokenClaims claims) {
        String payload = VERSION + "|" + keys.signingKeyId() + "|" + claims.uid() + "|" + claims.deviceId() + "|"
                + claims.platform().getNumber() + "|" + claims.expiresAtMillis() + "|" + claims.sessionId()
                + (claims.appId() == null ? "" : "|" + claims.appId());
        byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(payloadBytes) + "." + B64.encodeToString(sign(keys.signingKey(), payloadBytes));
    }

    /** Checks signature and expiry, then returns the claims. */
    public TokenClaims verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("token is missing");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new InvalidTokenException("token is " + token.length() + " characters, more than "
                    + MAX_TOKEN_CHARS + "; it was not issued by this server");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            throw new InvalidTokenException("token is not of the form payload.signature");
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = B64D.decode(token.substring(0, dot));
            signature = B64D.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("token is not base64url: " + e.getMessage());
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        // Only the version and key id are read before the signature is checked: they pick the key.
        if ((parts.length != 7 && parts.length != 8) || !parts[0].equals(VERSION)) {
            if (parts.length == 5 && parts[0].equals("v1")) {
                throw new InvalidTokenException("token is of format v1, which cannot be revoked and is no longer"
                        + " accepted; log in again for a new token");
            }
            throw new InvalidTokenException("token payload has an unknown format");
        }
        SecretKeySpec key = keys.key(parts[1]);
        if (key == null) {
            throw new InvalidTokenException("token was signed with key id '" + abbreviate(parts[1])
                    + "', which this server does not accept (it accepts " + keys.keyIds()
                    + "); log in again for a new token");
        }
        if (!MessageDigest.isEqual(sign(key, payload), signature)) {
            throw new InvalidTokenException("token signature does not match; it was not issued with this server's secret");
        }
        TokenClaims claims = parse(parts);
        long now = clock.millis();
        if (claims.expiresAtMillis() <= now) {
            throw new InvalidTokenException("token expired " + (now - claims.expiresAtMillis())
                    + " ms ago; refresh it (POST /v1/sessions/refresh) or log in again");
        }
        return claims;
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }

    private static TokenClaims parse(String[] parts) throws InvalidTokenException {
        try {
            Platform platform = Platform.forNumber(Integer.parseInt(parts[4]));
            return new TokenClaims(Long.parseLong(parts[2]), parts[3], platform, Long.parseLong(parts[5]),
                    Long.parseLong(parts[6]), parts.length == 8 ? parts[7] : null);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("token payload is invalid: " + e.getMessage());
        }
    }

    private static byte[] sign(SecretKeySpec key, byte[] payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }
}
