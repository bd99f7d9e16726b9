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
 * Issues and verifies HMAC-SHA256 signed login tokens, so a gate checks a login without a round
 * trip. Token = base64url(payload) "." base64url(hmac(payload)), payload =
 * {@code v1|uid|deviceId|platformNumber|expiresAtMillis}. Every role that shares the secret accepts
 * the tokens of the others. Thread-safe.
 */
public final class TokenCodec {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int MAX_TOKEN_CHARS = 512;

    private final SecretKeySpec key;
    private final Clock clock;

    /** @param secret at least 32 bytes of key material, shared by the account API and every gate */
    public TokenCodec(byte[] secret, Clock clock) {
        if (secret == null || secret.length < 32) {
            throw new IllegalArgumentException("token secret must be at least 32 bytes, got "
                    + (secret == null ? 0 : secret.length) + "; set a longer auth.token-secret");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String issue(TokenClaims claims) {
        String payload = "v1|" + claims.uid() + "|" + claims.deviceId() + "|" + claims.platform().getNumber()
                + "|" + claims.expiresAtMillis();
        byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(payloadBytes) + "." + B64.encodeToString(sign(payloadBytes));
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
        if (!MessageDigest.isEqual(sign(payload), signature)) {
            throw new InvalidTokenException("token signature does not match; it was not issued with this server's secret");
        }
        TokenClaims claims = parse(new String(payload, StandardCharsets.UTF_8));
        long now = clock.millis();
        if (claims.expiresAtMillis() <= now) {
            throw new InvalidTokenException("token expired " + (now - claims.expiresAtMillis())
                    + " ms ago; log in again for a new one");
        }
        return claims;
    }

    private static TokenClaims parse(String payload) throws InvalidTokenException {
        String[] parts = payload.split("\\|", -1);
        if (parts.length != 5 || !parts[0].equals("v1")) {
            throw new InvalidTokenException("token payload has an unknown format");
        }
        try {
            Platform platform = Platform.forNumber(Integer.parseInt(parts[3]));
            return new TokenClaims(Long.parseLong(parts[1]), parts[2], platform, Long.parseLong(parts[4]));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("token payload is invalid: " + e.getMessage());
        }
    }

    private byte[] sign(byte[] payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }
}
