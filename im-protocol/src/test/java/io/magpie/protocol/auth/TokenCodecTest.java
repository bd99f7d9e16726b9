package io.magpie.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenCodecTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final long IN_AN_HOUR = NOW.plus(Duration.ofHours(1)).toEpochMilli();
    private static final TokenClaims CLAIMS = new TokenClaims(10001, "phone-1", Platform.ANDROID, IN_AN_HOUR, 77);

    private final TokenCodec codec = new TokenCodec(SECRET, CLOCK);

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A token signed with the right secret over an arbitrary payload, as only a key holder could. */
    private static String signed(String payload) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return b64(bytes) + "." + b64(mac.doFinal(bytes));
    }

    private String rejection(String token) {
        return assertThrows(InvalidTokenException.class, () -> codec.verify(token)).getMessage();
    }

    @ParameterizedTest
    @EnumSource(value = Platform.class, names = {"ANDROID", "IOS", "DESKTOP", "WEB"})
    void verifiesWhatItIssued(Platform platform) throws Exception {
        TokenClaims claims = new TokenClaims(Long.MAX_VALUE, "A-z0.9_:-", platform, IN_AN_HOUR, Long.MAX_VALUE);

        assertEquals(claims, codec.verify(codec.issue(claims)));
    }

    @Test
    void acceptsTokensOfAnotherRoleSharingTheSecret() throws Exception {
        TokenCodec accountApi = new TokenCodec(SECRET.clone(), Clock.fixed(NOW.minusSeconds(30), ZoneOffset.UTC));

        assertEquals(CLAIMS, codec.verify(accountApi.issue(CLAIMS)));
    }

    @Test
    void issuesUrlSafeTokensWellUnderTheLengthLimit() {
        String token = new TokenCodec(new TokenKeys("k".repeat(32), Map.of("k".repeat(32), SECRET)), CLOCK)
                .issue(new TokenClaims(Long.MAX_VALUE, "d".repeat(64), Platform.DESKTOP, Long.MAX_VALUE, Long.MAX_VALUE));

        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), token);
        assertTrue(token.length() <= 512, "length " + token.length());
    }

    @Test
    void rejectsATamperedPayload() throws Exception {
        String token = codec.issue(CLAIMS);
        String signature = token.substring(token.indexOf('.') + 1);
        String otherUser = b64(("v2|default|10002|phone-1|1|" + IN_AN_HOUR + "|77").getBytes(StandardCharsets.UTF_8));

        String message = rejection(otherUser + "." + signature);

        assertTrue(message.contains("signature does not match"), message);
    }

    @Test
    void rejectsATamperedSignature() {
        String token = codec.issue(CLAIMS);
        char last = token.charAt(token.length() - 2);
        String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
        assertNotEquals(token, tampered);

        assertTrue(rejection(tampered).contains("signature does not match"));
    }

    @Test
    void rejectsATokenSignedWithAnotherSecret() {
        byte[] other = SECRET.clone();
        other[0] ^= 1;
        String foreign = new TokenCodec(other, CLOCK).issue(CLAIMS);

        String message = rejection(foreign);

        assertTrue(message.contains("not issued with this server's secret"), message);
    }

    @Test
    void acceptsATokenUntilItsExpiryAndRejectsItFromThen() throws Exception {
        String token = codec.issue(CLAIMS);
        TokenCodec aMillisecondBefore = new TokenCodec(SECRET, Clock.fixed(Instant.ofEpochMilli(IN_AN_HOUR - 1), ZoneOffset.UTC));
        TokenCodec atExpiry = new TokenCodec(SECRET, Clock.fixed(Instant.ofEpochMilli(IN_AN_HOUR), ZoneOffset.UTC));
        TokenCodec aMinuteLater = new TokenCodec(SECRET, Clock.fixed(Instant.ofEpochMilli(IN_AN_HOUR + 60_000), ZoneOffset.UTC));

        assertEquals(CLAIMS, aMillisecondBefore.verify(token));
        assertTrue(assertThrows(InvalidTokenException.class, () -> atExpiry.verify(token)).getMessage()
                .contains("expired 0 ms ago"));
        String message = assertThrows(InvalidTokenException.class, () -> aMinuteLater.verify(token)).getMessage();
        assertTrue(message.contains("expired 60000 ms ago") && message.contains("refresh"), message);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void rejectsAMissingToken(String token) {
        assertEquals("token is missing", rejection(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", ".", "abc.", ".abc", "Bearer"})
    void rejectsStringsThatAreNotPayloadDotSignature(String token) {
        assertEquals("token is not of the form payload.signature", rejection(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!.???", "dj F8.abc", "abc.d.e", "a+b/.c"})
    void rejectsStringsThatAreNotBase64Url(String token) {
        assertTrue(rejection(token).startsWith("token is not base64url"), token);
    }

    @Test
    void rejectsWellFormedGarbageAsForged() {
        assertEquals("token payload has an unknown format", rejection("YWJj.ZGVm"));
        String payload = b64(("v2|default|10001|phone-1|1|" + IN_AN_HOUR + "|77").getBytes(StandardCharsets.UTF_8));
        assertTrue(rejection(payload + ".ZGVm").contains("signature does not match"));
    }

    @Test
    void rejectsAnOverLongTokenBeforeDecodingIt() {
        String message = rejection("a".repeat(300) + "." + "b".repeat(300));

        assertTrue(message.contains("601 characters") && message.contains("512"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v3|default|10001|phone-1|1|9999999999999|1", "v2|default|10001|phone-1|1|9999999999999",
            "v2|default|10001|phone-1|1|2|3|app|5", "|||||||", "v1|10001|phone-1|1"})
    void rejectsASignedPayloadOfAnUnknownFormat(String payload) throws Exception {
        assertEquals("token payload has an unknown format", rejection(signed(payload)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2|default|abc|phone-1|1|9999999999999|1", "v2|default|0|phone-1|1|9999999999999|1",
            "v2|default|10001|bad device|1|9999999999999|1", "v2|default|10001|phone-1|0|9999999999999|1",
            "v2|default|10001|phone-1|99|9999999999999|1", "v2|default|10001|phone-1|1|soon|1",
            "v2|default|10001|phone-1|1|9999999999999|-1", "v2|default|10001|phone-1|1|9999999999999|x",
            "v2|default|10001|phone-1|1|9999999999999|1|", "v2|default|10001|phone-1|1|9999999999999|1|bad app",
            "v2|default|10001|phone-1|1|9999999999999|1|a,b"})
    void rejectsASignedPayloadWithInvalidClaims(String payload) throws Exception {
        assertTrue(rejection(signed(payload)).startsWith("token payload is invalid: "), payload);
    }

    @Test
    void refusesASecretShorterThan32Bytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TokenCodec(Arrays.copyOf(SECRET, 31), CLOCK));
        assertTrue(e.getMessage().contains("at least 32 bytes, got 31") && e.getMessage().contains("auth.token-secret"),
                e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TokenCodec((byte[]) null, CLOCK)).getMessage()
                .contains("got 0"));
    }

    @Test
    void keepsItsOwnCopyOfTheSecret() throws Exception {
        byte[] secret = SECRET.clone();
        TokenCodec own = new TokenCodec(secret, CLOCK);
        String token = own.issue(CLAIMS);

        Arrays.fill(secret, (byte) 0);

        assertEquals(CLAIMS, own.verify(token));
    }

    @Test
    void refusesClaimsThatCannotBeIssued() {
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(0, "phone-1", Platform.IOS, IN_AN_HOUR));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(1, "", Platform.IOS, IN_AN_HOUR));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(1, "a|b", Platform.IOS, IN_AN_HOUR));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(1, "d".repeat(65), Platform.IOS, IN_AN_HOUR));
        assertThrows(IllegalArgumentException.class,
                () -> new TokenClaims(1, "phone-1", Platform.PLATFORM_UNSPECIFIED, IN_AN_HOUR));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(1, "phone-1", null, IN_AN_HOUR));
        assertTrue(TokenClaims.validDeviceId("d".repeat(64)));
    }

    @Test
    void refusesAVersion1TokenSayingItMustLogInAgain() throws Exception {
        String message = rejection(signed("v1|10001|phone-1|1|" + IN_AN_HOUR));

        assertTrue(message.contains("format v1") && message.contains("log in again"), message);
    }

    @Test
    void carriesTheSigningKeyIdSoARotatedSecretStillVerifiesOldTokens() throws Exception {
        byte[] newSecret = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
        TokenCodec before = new TokenCodec(SECRET, CLOCK);
        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put(TokenKeys.DEFAULT_KEY_ID, SECRET);
        both.put("2026-03", newSecret);
        TokenCodec during = new TokenCodec(new TokenKeys("2026-03", both), CLOCK);
        TokenCodec after = new TokenCodec(new TokenKeys("2026-03", Map.of("2026-03", newSecret)), CLOCK);
        String old = before.issue(CLAIMS);
        String fresh = during.issue(CLAIMS);

        assertEquals(CLAIMS, during.verify(old));
        assertEquals(CLAIMS, during.verify(fresh));
        assertEquals(CLAIMS, after.verify(fresh));
        String message = assertThrows(InvalidTokenException.class, () -> after.verify(old)).getMessage();
        assertTrue(message.contains("key id 'default'") && message.contains("[2026-03]"), message);
        // a node that does not know the new key yet refuses tokens signed with it, naming the key id
        assertTrue(assertThrows(InvalidTokenException.class, () -> before.verify(fresh)).getMessage()
                .contains("key id '2026-03'"));
    }

    @Test
    void aKeyIdDoesNotLetAForeignKeyVerify() throws Exception {
        byte[] other = "another-key-another-key-another-key".getBytes(StandardCharsets.US_ASCII);
        String foreign = new TokenCodec(new TokenKeys(TokenKeys.DEFAULT_KEY_ID,
                Map.of(TokenKeys.DEFAULT_KEY_ID, other)), CLOCK).issue(CLAIMS);

        assertTrue(rejection(foreign).contains("signature does not match"));
    }

    @Test
    void refusesKeySetsThatCannotWork() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TokenKeys("b", Map.of("a", SECRET)))
                .getMessage().contains("'b'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TokenKeys("a b", Map.of("a b", SECRET)))
                .getMessage().contains("key id"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new TokenKeys("k2", Map.of("k2", Arrays.copyOf(SECRET, 31)))).getMessage()
                .contains("auth.token-secrets.k2"));
        assertThrows(IllegalArgumentException.class, () -> new TokenKeys("a", Map.of()));
        assertTrue(new TokenKeys("a", Map.of("a", SECRET)).toString().contains("signing=a"));
        assertTrue(!new TokenKeys("a", Map.of("a", SECRET)).toString().contains("0123456789"));
    }

    @Test
    void keepsTheSessionIdAndTellsUnboundTokensApart() throws Exception {
        assertEquals(77, codec.verify(codec.issue(CLAIMS)).sessionId());
        assertTrue(CLAIMS.boundToSession());
        TokenClaims unbound = new TokenClaims(10001, "phone-1", Platform.ANDROID, IN_AN_HOUR);
        assertEquals(0, codec.verify(codec.issue(unbound)).sessionId());
        assertTrue(!unbound.boundToSession());
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(1, "phone-1", Platform.IOS, IN_AN_HOUR, -5));
    }

    @Test
    void carriesTheAppIdWhenTheClaimsHaveOne() throws Exception {
        TokenClaims chat = new TokenClaims(10001, "phone-1", Platform.ANDROID, IN_AN_HOUR, 77, "chat.app-1");

        TokenClaims verified = codec.verify(codec.issue(chat));

        assertEquals(chat, verified);
        assertEquals("chat.app-1", verified.appId());
    }

    @Test
    void aTokenWithoutAnAppIdIsExactlyTheFormatOfTokensMintedBeforeTheClaim() throws Exception {
        String token = codec.issue(CLAIMS);
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                StandardCharsets.UTF_8);

        assertEquals("v2|default|10001|phone-1|1|" + IN_AN_HOUR + "|77", payload);
        assertEquals(null, codec.verify(token).appId());
        // one signed by hand the way the old codec did verifies without an app id
        assertEquals(CLAIMS, codec.verify(signed("v2|default|10001|phone-1|1|" + IN_AN_HOUR + "|77")));
    }

    @Test
    void theAppIdIsSignedSoItCannotBeChangedOrAdded() throws Exception {
        String chat = codec.issue(new TokenClaims(10001, "phone-1", Platform.ANDROID, IN_AN_HOUR, 77, "chat"));
        String signature = chat.substring(chat.indexOf('.'));
        String game = b64(("v2|default|10001|phone-1|1|" + IN_AN_HOUR + "|77|game").getBytes(StandardCharsets.UTF_8));
        String plain = codec.issue(CLAIMS);
        String added = b64(("v2|default|10001|phone-1|1|" + IN_AN_HOUR + "|77|chat").getBytes(StandardCharsets.UTF_8))
                + plain.substring(plain.indexOf('.'));

        assertTrue(rejection(game + signature).contains("signature does not match"));
        assertTrue(rejection(added).contains("signature does not match"));
    }

    @Test
    void refusesClaimsWithAnAppIdAGateCouldNotServe() {
        for (String bad : new String[] {"", "chat|x", "a b", "x".repeat(65), "a,b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TokenClaims(1, "phone-1", Platform.IOS, IN_AN_HOUR, 1, bad));
            assertTrue(e.getMessage().contains("1-64 characters of [A-Za-z0-9._-]"), e.getMessage());
        }
        assertTrue(TokenClaims.validAppId("A-z.0_9"));
    }
}
