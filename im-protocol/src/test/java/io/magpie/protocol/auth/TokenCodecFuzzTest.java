package io.magpie.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.magpie.protocol.Allocations;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Coverage-guided fuzzing of the token a gate reads from LOGIN (docs/guarantees.md, "Fuzzing"). Any
 * string is either refused with {@link InvalidTokenException} or yields claims a server could have
 * issued, which re-issue to a token that verifies to the same claims. Half of the inputs carry a
 * payload signed with the test secret, so the fuzzer gets past the signature into the payload parser.
 */
class TokenCodecFuzzTest {

    private static final byte[] SECRET = "fuzz-secret-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final TokenCodec codec = new TokenCodec(SECRET, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    TokenCodecFuzzTest() {
        // Warm-up: loading the JCE provider is not what verify() allocates per token.
        try {
            codec.verify(signed("warm-up".getBytes(StandardCharsets.UTF_8)));
        } catch (InvalidTokenException expected) {
            // a payload of an unknown format
        }
    }

    @FuzzTest
    void loginToken(FuzzedDataProvider data) {
        String token = switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeRemainingAsString();
            case 1 -> signed(data.consumeRemainingAsBytes());
            default -> signed(payloadOfFields(data).getBytes(StandardCharsets.UTF_8));
        };

        TokenClaims[] result = new TokenClaims[1];
        Allocations.assertBounded(() -> result[0] = verifyOrNull(token), token.length() * 2L, "verifying a token");
        TokenClaims claims = result[0];
        if (claims == null) {
            return;
        }
        assertTrue(claims.uid() > 0, "accepted a non-positive uid");
        assertTrue(TokenClaims.validDeviceId(claims.deviceId()), "accepted device id " + claims.deviceId());
        assertTrue(claims.expiresAtMillis() > NOW, "accepted an expired token");
        try {
            assertEquals(claims, codec.verify(codec.issue(claims)), "claims do not survive issue -> verify");
        } catch (InvalidTokenException e) {
            fail("a re-issued token of accepted claims was refused: " + e.getMessage(), e);
        }
    }

    /** The claims of an accepted token, null for a refused one; any other outcome fails. */
    private TokenClaims verifyOrNull(String token) {
        try {
            return codec.verify(token);
        } catch (InvalidTokenException refused) {
            return null;
        } catch (RuntimeException e) {
            fail("verify raised " + e + " instead of InvalidTokenException for a token of "
                    + token.length() + " characters", e);
            return null;
        }
    }

    /**
     * A payload in the shape of the issued ones ({@code version|field|field...}) with fuzzed fields, so
     * the fuzzer spends its time in the field parsing rather than finding the separators.
     */
    private static String payloadOfFields(FuzzedDataProvider data) {
        StringBuilder payload = new StringBuilder(data.pickValue(new String[] {"v1", "v2", "v3", ""}));
        int fields = data.consumeInt(2, 8);
        for (int i = 0; i < fields; i++) {
            payload.append('|').append(switch (data.consumeInt(0, 3)) {
                case 0 -> Long.toString(data.consumeLong());
                case 1 -> Long.toString(data.consumeLong(-1, 100));
                case 2 -> data.pickValue(new String[] {"default", "k1", "phone-1", "d", "1", "0"});
                default -> data.consumeString(80);
            });
        }
        return payload.toString();
    }

    /** A token whose payload is fuzzed but whose signature is right for the test secret. */
    private static String signed(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            return B64.encodeToString(payload) + "." + B64.encodeToString(mac.doFinal(payload));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
