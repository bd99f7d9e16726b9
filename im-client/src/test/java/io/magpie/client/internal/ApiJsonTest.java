package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.Credentials;
import io.magpie.client.GateAddress;
import io.magpie.client.MagpieApiException;
import io.magpie.client.ReadReceipts;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiJsonTest {

    private static final String WHAT = "account API POST /v1/login";
    private final ApiJson json = new ApiJson(new ObjectMapper());

    @Test
    void anErrorBodyGivesTheServersCodeAndMessage() {
        MagpieApiException e = json.error(WHAT, 401,
                "{\"code\":\"BAD_CREDENTIALS\",\"message\":\"wrong username or password\"}");

        assertEquals(401, e.status());
        assertEquals("BAD_CREDENTIALS", e.code());
        assertEquals("wrong username or password", e.getMessage());
        assertFalse(e.retryable());
    }

    @Test
    void readReceiptsListTheReadersOfASmallGroupAndOnlyCountThemInALargeOne() {
        String small = "{\"conversationId\":\"g_5\",\"seq\":9,\"readCount\":2,\"unreadCount\":1,\"readers\":[11,12]}";
        String large = "{\"conversationId\":\"g_6\",\"seq\":9,\"readCount\":250,\"unreadCount\":40,\"readers\":null}";

        assertEquals(new ReadReceipts("g_5", 9, 2, 1, List.of(11L, 12L)), json.receipts(WHAT, 200, small));
        ReadReceipts counted = json.receipts(WHAT, 200, large);
        assertNull(counted.readers());
        assertFalse(counted.readersListed());
        assertEquals(250, counted.readCount());
        MagpieApiException e = assertThrows(MagpieApiException.class,
                () -> json.receipts(WHAT, 200, "{\"conversationId\":\"g_5\",\"readers\":\"all\"}"));
        assertEquals("BAD_RESPONSE", e.code());
    }

    @Test
    void noGateFromTheLsbIsRetryable() {
        MagpieApiException e = json.error("LSB GET /v1/gate", 503,
                "{\"code\":\"NO_GATE\",\"message\":\"no ACTIVE gate is registered; start a gate or wait for it to report\"}");

        assertEquals("NO_GATE", e.code());
        assertTrue(e.retryable());
    }

    @Test
    void aNonJsonErrorPageStillGivesAUsefulException() {
        MagpieApiException e = json.error(WHAT, 502, "<html>\n<body>Bad Gateway</body>\n</html>");

        assertEquals("HTTP_502", e.code());
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains(WHAT) && e.getMessage().contains("<body>Bad Gateway</body>"), e.getMessage());
        assertTrue(e.retryable());
    }

    @Test
    void anEmptyErrorBodyIsSaidSo() {
        MagpieApiException e = json.error(WHAT, 429, "");

        assertEquals("HTTP_429", e.code());
        assertTrue(e.getMessage().contains("empty body"));
        assertTrue(e.retryable(), "429: slow down and retry");
    }

    @Test
    void aHugeErrorBodyIsCut() {
        MagpieApiException e = json.error(WHAT, 500, "x".repeat(100_000));

        assertTrue(e.getMessage().length() < 400);
    }

    @Test
    void aJsonErrorWithoutCodeFallsBackToTheStatus() {
        MagpieApiException e = json.error(WHAT, 400, "{\"error\":\"nope\"}");

        assertEquals("HTTP_400", e.code());
    }

    @Test
    void registrationGivesTheUid() {
        assertEquals(10001, json.uid(WHAT, 201, "{\"uid\":10001}"));
    }

    @Test
    void aSuccessWithoutUidIsABadResponse() {
        MagpieApiException e = assertThrows(MagpieApiException.class, () -> json.uid(WHAT, 200, "{\"id\":1}"));

        assertEquals("BAD_RESPONSE", e.code());
        assertTrue(e.getMessage().contains("uid"));
    }

    @Test
    void loginGivesCredentialsWithEpochMillisOrIsoExpiry() {
        Credentials millis = json.credentials(WHAT, 200,
                "{\"uid\":7,\"token\":\"abc.def\",\"expiresAt\":1767225600000}");
        Credentials iso = json.credentials(WHAT, 200,
                "{\"uid\":7,\"token\":\"abc.def\",\"expiresAt\":\"2026-01-01T00:00:00Z\"}");

        assertEquals(new Credentials(7, "abc.def", Instant.parse("2026-01-01T00:00:00Z")), millis);
        assertEquals(millis, iso);
    }

    @Test
    void loginWithoutTokenOrExpiryIsABadResponse() {
        assertEquals("BAD_RESPONSE", assertThrows(MagpieApiException.class,
                () -> json.credentials(WHAT, 200, "{\"uid\":7,\"expiresAt\":1}")).code());
        assertEquals("BAD_RESPONSE", assertThrows(MagpieApiException.class,
                () -> json.credentials(WHAT, 200, "{\"uid\":7,\"token\":\"t\"}")).code());
        assertEquals("BAD_RESPONSE", assertThrows(MagpieApiException.class,
                () -> json.credentials(WHAT, 200, "{\"uid\":7,\"token\":\"t\",\"expiresAt\":\"tomorrow\"}")).code());
        assertEquals("BAD_RESPONSE", assertThrows(MagpieApiException.class,
                () -> json.credentials(WHAT, 200, "<html>login page</html>")).code());
    }

    @Test
    void theLsbAnswerGivesTheGateAddress() {
        GateAddress gate = json.gate("LSB", 200, "{\"gateId\":\"g1\",\"host\":\"10.0.0.7\",\"tcpPort\":9000,"
                + "\"wsPort\":9001,\"tcp\":\"10.0.0.7:9000\",\"ws\":\"ws://10.0.0.7:9001/ws\"}");

        assertEquals(new GateAddress("g1", "10.0.0.7", 9000, 9001, "10.0.0.7:9000", URI.create("ws://10.0.0.7:9001/ws")),
                gate);
    }

    @Test
    void aGateWithoutWebSocketHasNoWsUrl() {
        GateAddress gate = json.gate("LSB", 200,
                "{\"gateId\":\"g1\",\"host\":\"h\",\"tcpPort\":9000,\"wsPort\":0,\"tcp\":\"h:9000\",\"ws\":null}");

        assertNull(gate.ws());
    }

    @Test
    void aGateAnswerWithoutPortIsABadResponse() {
        assertEquals("BAD_RESPONSE", assertThrows(MagpieApiException.class,
                () -> json.gate("LSB", 200, "{\"gateId\":\"g1\",\"host\":\"h\"}")).code());
    }

    @Test
    void requestBodiesAreJson() {
        assertEquals("{\"username\":\"ann\"}", json.write(Map.of("username", "ann")));
    }

    @Test
    void urlsKeepTheBasePath() {
        assertEquals(URI.create("http://h:8081/api/v1/login"),
                HttpJsonClient.resolve(URI.create("http://h:8081/api/"), "/v1/login"));
        assertEquals(URI.create("http://h:8081/v1/login"), HttpJsonClient.resolve(URI.create("http://h:8081"), "/v1/login"));
    }
}
