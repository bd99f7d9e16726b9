package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.idgen.SegmentIdAllocator;
import io.magpie.idgen.SnowflakeConfig;
import io.magpie.idgen.SnowflakeIdGenerator;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import io.magpie.engines.TestIsolation;
import java.net.URI;
import io.magpie.http.BodyLimit;
import io.magpie.http.RawHttp;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The account API over real HTTP, on a real MariaDB. */
@ExtendWith(InfrastructureExtension.class)
class AccountApiIT {

    private static final byte[] SECRET = "an-account-api-it-secret-of-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every answer the tests get is checked against the document the API serves. */
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");

    private static Database database;
    private static AccountApi api;
    private static MysqlConfig mysql;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        mysql = MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
        database = Database.open(mysql);
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).build();
        api = new AccountApi(config, database.dataSource(), ids(database), CLOCK, () -> true, () -> true).start();
    }

    static AccountApi.ApiIds ids(Database db) {
        return new AccountApi.ApiIds(new SegmentIdAllocator(db.dataSource(), "uid", 10),
                new SegmentIdAllocator(db.dataSource(), "group", 10),
                new SnowflakeIdGenerator(new FixedWorkerIdLease(1), Clock.systemUTC(), SnowflakeConfig.defaults()));
    }

    /** A login token as the account API issues it (verified locally: no account needed). */
    private static String token(long uid) {
        return new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(uid, "d1", Platform.WEB,
                CLOCK.millis() + 60_000));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void anEndlessChunkedBodyIsRefusedWith413WithoutBeingBufferedAndTheApiKeepsServing() throws Exception {
        // tools/probe/repro/repro_chunked_single.py: this body used to be buffered until OutOfMemoryError
        for (int i = 0; i < 3; i++) {
            RawHttp.assertEndlessBodyRefused(api.port(), "/v1/accounts");
        }
        RawHttp.assertEndlessBodyRefused(api.port(), "/v1/sessions");
        String declared = RawHttp.request(api.port(), "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + (BodyLimit.DEFAULT_MAX_BYTES + 1) + "\r\n\r\n" + "{".repeat(1024));
        assertEquals("HTTP/1.1 413 Payload Too Large", RawHttp.statusLine(declared));
        assertTrue(declared.contains("\"code\":\"PAYLOAD_TOO_LARGE\""), declared);

        HttpResponse<String> created = post("/v1/accounts",
                "{\"username\":\"after-flood\",\"password\":\"correct horse\",\"nickname\":\"F\"}");
        assertEquals(201, created.statusCode(), "the API still serves: " + created.body());
    }

    @Test
    void registerThenLoginGivesATokenTheGatesAccept() throws Exception {
        HttpResponse<String> created = post("/v1/accounts",
                "{\"username\":\"alice\",\"password\":\"correct horse\",\"nickname\":\"Alice A.\"}");
        assertEquals(201, created.statusCode(), created.body());
        long uid = json(created).get("uid").asLong();
        assertTrue(uid > 0);

        HttpResponse<String> login = post("/v1/sessions",
                "{\"username\":\"alice\",\"password\":\"correct horse\",\"deviceId\":\"phone-1\",\"platform\":\"IOS\"}");
        assertEquals(200, login.statusCode(), login.body());
        JsonNode session = json(login);
        assertEquals(uid, session.get("uid").asLong());
        long expiresAt = CLOCK.millis() + Duration.ofMinutes(15).toMillis();
        assertEquals(expiresAt, session.get("expiresAt").asLong());
        TokenClaims claims = new TokenCodec(SECRET, CLOCK).verify(session.get("token").asText());
        assertEquals(new TokenClaims(uid, "phone-1", Platform.IOS, expiresAt, claims.sessionId()), claims);
        assertTrue(claims.boundToSession(), "a token the API issues can be revoked");
        assertTrue(session.get("refreshToken").asText().startsWith("r1."), login.body());

        HttpResponse<String> profile = get("/v1/accounts/" + uid, session.get("token").asText());
        assertEquals(200, profile.statusCode());
        JsonNode account = json(profile);
        assertEquals(uid, account.get("uid").asLong());
        assertEquals("alice", account.get("username").asText());
        assertEquals("Alice A.", account.get("nickname").asText());
        assertEquals(3, account.size(), profile.body()); // never the password hash
    }

    @Test
    void thePasswordIsStoredAsASaltedPbkdf2Hash() throws Exception {
        post("/v1/accounts", "{\"username\":\"carol\",\"password\":\"carols password\"}");
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT password_hash, nickname FROM account WHERE username = ?")) {
            ps.setString(1, "carol");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                String hash = rs.getString(1);
                assertTrue(hash.startsWith("pbkdf2-sha256$1000$"), hash);
                assertFalse(hash.contains("carols password"));
                assertEquals("carol", rs.getString(2)); // no nickname given: the username
            }
        }
    }

    @Test
    void aTakenUsernameIsAConflict() throws Exception {
        assertEquals(201, post("/v1/accounts", "{\"username\":\"bob\",\"password\":\"password1\"}").statusCode());

        HttpResponse<String> again = post("/v1/accounts", "{\"username\":\"bob\",\"password\":\"password2\"}");

        assertError(again, 409, "USERNAME_TAKEN", "already registered");
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() throws Exception {
        post("/v1/accounts", "{\"username\":\"dave\",\"password\":\"right password\"}");

        HttpResponse<String> wrong = post("/v1/sessions",
                "{\"username\":\"dave\",\"password\":\"wrong password\",\"deviceId\":\"d1\",\"platform\":\"WEB\"}");
        HttpResponse<String> unknown = post("/v1/sessions",
                "{\"username\":\"nobody\",\"password\":\"wrong password\",\"deviceId\":\"d1\",\"platform\":\"WEB\"}");

        assertError(wrong, 401, "BAD_CREDENTIALS", "username or password is wrong");
        assertEquals(wrong.body(), unknown.body());
        assertEquals(401, unknown.statusCode());
    }

    @Test
    void invalidInputIsABadRequestNamingTheField() throws Exception {
        assertError(post("/v1/accounts", "{\"username\":\"ab\",\"password\":\"password1\"}"), 400, "BAD_REQUEST",
                "username must be 3-32 characters");
        assertError(post("/v1/accounts", "{\"username\":\"Eve\",\"password\":\"password1\"}"), 400, "BAD_REQUEST",
                "username");
        assertError(post("/v1/accounts", "{\"username\":\"eve\",\"password\":\"short\"}"), 400, "BAD_REQUEST",
                "password must be 8-128 characters");
        assertError(post("/v1/accounts", "{\"username\":\"eve\""), 400, "BAD_REQUEST", "JSON");
        assertError(post("/v1/sessions", "{\"username\":\"eve\",\"password\":\"password1\",\"deviceId\":\"d 1\","
                + "\"platform\":\"WEB\"}"), 400, "BAD_REQUEST", "deviceId");
        assertError(post("/v1/sessions", "{\"username\":\"eve\",\"password\":\"password1\",\"deviceId\":\"d1\","
                + "\"platform\":\"BEOS\"}"), 400, "BAD_REQUEST", "platform must be one of ANDROID, IOS, DESKTOP, WEB");
        assertError(get("/v1/accounts/abc", token(1)), 400, "BAD_REQUEST", "uid");
        assertError(get("/v1/accounts/999999999", token(1)), 404, "NOT_FOUND", "no account with uid 999999999");
        assertError(getUndocumented("/v1/nothing-here"), 404, "NOT_FOUND", "no such resource");
    }

    @Test
    void healthAndTheOpenApiDocumentAreServed() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        assertEquals(200, get("/health/ready").statusCode());
        HttpResponse<String> doc = get("/openapi.yaml");
        assertEquals(200, doc.statusCode());
        assertTrue(doc.body().startsWith("openapi: 3.0"), doc.body());
        assertTrue(doc.body().contains("/v1/sessions:"));
    }

    @Test
    void aStorageFaultIsA500WithoutAStackTrace() throws Exception {
        Database broken = Database.open(mysql);
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).build();
        try (AccountApi brokenApi = new AccountApi(config, broken.dataSource(), ids(broken), CLOCK, () -> false,
                () -> false)
                .start()) {
            broken.close(); // the pool is gone: every query fails

            HttpResponse<String> r = CONTRACT.send(http, HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + brokenApi.port() + "/v1/accounts/1"))
                            .header("Authorization", "Bearer " + token(1)).build());

            assertError(r, 500, "INTERNAL", "the server failed to handle this request");
            assertFalse(r.body().contains("Exception"), r.body());
            assertFalse(r.body().contains("at io.magpie"), r.body());

            for (String probe : new String[] {"/health/live", "/health/ready"}) {
                HttpResponse<String> health = CONTRACT.send(http, HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + brokenApi.port() + probe)).build());
                assertEquals(503, health.statusCode(), probe + ": " + health.body());
                assertEquals("DOWN", json(health).get("status").asText(), probe);
            }
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String code, String messagePart)
            throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(code, body.get("code").asText(), r.body());
        assertTrue(body.get("message").asText().contains(messagePart), r.body());
        assertEquals(2, body.size(), r.body());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CONTRACT.send(http, HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CONTRACT.send(http, HttpRequest.newBuilder(uri(path)).build());
    }

    private HttpResponse<String> getUndocumented(String path) throws Exception {
        return CONTRACT.sendUndocumented(http, HttpRequest.newBuilder(uri(path)).build());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return CONTRACT.send(http,
                HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).build());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }
}
