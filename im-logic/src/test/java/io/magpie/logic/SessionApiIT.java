package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.registry.ActiveSessions;
import io.magpie.registry.ActiveSessions.Status;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.registry.RedisActiveSessions;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisStore;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.PushTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import io.magpie.engines.TestIsolation;
import java.net.URI;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Device sessions over real HTTP on real MariaDB and Redis: refresh rotation and reuse detection,
 * logout, a newer login, a password change and an operator kick revoke tokens; the gates' copy in
 * Redis follows; login attempts are limited per account and per address.
 */
@ExtendWith(InfrastructureExtension.class)
class SessionApiIT {

    private static final byte[] SECRET = "a-session-api-it-secret-of-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every answer the tests get is checked against the document the API serves. */
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");
    private static final String ADMIN = "q8H1xZ3v0sTt9yKQ7uFJ2mWc4bN6pLr5-admin";

    private static Database database;
    private static RedisStore redis;
    private static RedisStore addressLimitedRedis;
    private static ActiveSessions active;
    private static AccountApi api;
    private static AccountApi addressLimitedApi;
    /** With the push producer: kicks are published, and read back by {@link #pushConsumer}. */
    private static AccountApi kickingApi;
    private static Admin admin;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> pushConsumer;
    private static RouteTable routes;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        addressLimitedRedis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix() + "addr:"));
        active = new RedisActiveSessions(redis);
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000)
                .sessions(SessionSettings.defaults().withLimits(5, 1_000, 1_000, Duration.ofMinutes(5))
                        .withAdminToken(ADMIN))
                .build();
        api = new AccountApi(config, database.dataSource(), new AccountApi.SessionInfra(redis, null, null),
                AccountApiIT.ids(database), CLOCK, () -> true, () -> true).start();
        LogicConfig fewPerAddress = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000)
                .sessions(SessionSettings.defaults().withLimits(100, 5, 1_000, Duration.ofMinutes(5)))
                .build();
        addressLimitedApi = new AccountApi(fewPerAddress, database.dataSource(),
                new AccountApi.SessionInfra(addressLimitedRedis, null, null), AccountApiIT.ids(database), CLOCK,
                () -> true, () -> true).start();

        Topics topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 2);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()),
                new StringSerializer(), new ByteArraySerializer());
        pushConsumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, iso.topicPrefix() + "session-kicks",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer());
        pushConsumer.subscribe(List.of(topics.push()));
        routes = new RedisRouteTable(redis);
        kickingApi = new AccountApi(config, database.dataSource(),
                new AccountApi.SessionInfra(redis, producer, topics.push()), AccountApiIT.ids(database), CLOCK,
                () -> true, () -> true).start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {api, addressLimitedApi, kickingApi, pushConsumer, producer, admin, redis, addressLimitedRedis, database}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---- access and refresh tokens

    @Test
    void aLoginGivesAFifteenMinuteAccessTokenAndARefreshTokenThatRotates() throws Exception {
        register("rotor");
        JsonNode first = login(api, "rotor", "d1");
        assertEquals(CLOCK.millis() + Duration.ofMinutes(15).toMillis(), first.get("expiresAt").asLong());
        assertEquals(CLOCK.millis() + Duration.ofDays(30).toMillis(), first.get("refreshExpiresAt").asLong());

        HttpResponse<String> refreshed = refresh(first.get("refreshToken").asText());

        assertEquals(200, refreshed.statusCode(), refreshed.body());
        JsonNode second = json(refreshed);
        assertNotEquals(first.get("refreshToken").asText(), second.get("refreshToken").asText());
        TokenClaims before = claims(first);
        TokenClaims after = claims(second);
        assertEquals(before.sessionId(), after.sessionId(), "a refresh keeps the device's session");
        assertEquals(200, profile(second.get("token").asText()).statusCode());
        assertEquals(200, refresh(second.get("refreshToken").asText()).statusCode(), "the rotated-in token works");
    }

    @Test
    void presentingARotatedRefreshTokenAgainEndsTheSession() throws Exception {
        register("thief");
        JsonNode session = login(api, "thief", "d1");
        String stolen = session.get("refreshToken").asText();
        JsonNode legit = json(refresh(stolen));

        HttpResponse<String> replay = refresh(stolen);

        assertError(replay, 401, "REFRESH_TOKEN_REUSED");
        assertError(refresh(legit.get("refreshToken").asText()), 401, "INVALID_REFRESH_TOKEN");
        assertEquals(401, profile(legit.get("token").asText()).statusCode());
        TokenClaims c = claims(legit);
        assertNotEquals(Status.CURRENT, status(c), "the gates refuse the session's tokens too");
    }

    @Test
    void aForgedOrUnknownRefreshTokenIsRefusedWithoutEndingTheSession() throws Exception {
        register("prober");
        JsonNode session = login(api, "prober", "d1");
        long sessionId = claims(session).sessionId();

        assertError(refresh("r1." + sessionId + "." + "A".repeat(43)), 401, "INVALID_REFRESH_TOKEN");
        assertError(refresh("not-a-refresh-token"), 401, "INVALID_REFRESH_TOKEN");

        assertEquals(200, refresh(session.get("refreshToken").asText()).statusCode());
    }

    @Test
    void aLoginWithAnAppIdGivesTokensOfThatAppAndRefreshesKeepIt() throws Exception {
        register("appuser");
        HttpResponse<String> r = post(api, "/v1/sessions", "{\"username\":\"appuser\",\"password\":\"password of"
                + " appuser\",\"deviceId\":\"d1\",\"platform\":\"IOS\",\"appId\":\"chat.v2\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode session = json(r);
        assertEquals("chat.v2", claims(session).appId());

        JsonNode refreshed = json(refresh(session.get("refreshToken").asText()));

        assertEquals("chat.v2", claims(refreshed).appId(), "the session's app survives a refresh");
        assertEquals(null, claims(login(api, "appuser", "d2")).appId(), "a login without appId has none");
    }

    @Test
    void aMalformedAppIdIsRefusedSayingWhatIsAllowed() throws Exception {
        register("badapp");
        for (String appId : new String[] {"", "a b", "x".repeat(65), "chat|x"}) {
            HttpResponse<String> r = post(api, "/v1/sessions", "{\"username\":\"badapp\",\"password\":\"password of"
                    + " badapp\",\"deviceId\":\"d1\",\"platform\":\"IOS\",\"appId\":\"" + appId + "\"}");
            assertError(r, 400, "BAD_REQUEST");
            assertTrue(json(r).get("message").asText().contains("1-64 characters of [A-Za-z0-9._-]"), r.body());
        }
    }

    // ---- revocation

    @Test
    void aLogoutRevokesTheTokenForTheApiTheGatesAndRefresh() throws Exception {
        register("leaver");
        JsonNode session = login(api, "leaver", "d1");
        String token = session.get("token").asText();
        assertEquals(Status.CURRENT, status(claims(session)));

        HttpResponse<String> out = send(HttpRequest.newBuilder(uri(api, "/v1/sessions/current"))
                .header("Authorization", "Bearer " + token).DELETE().build());

        assertEquals(204, out.statusCode(), out.body());
        assertEquals(401, profile(token).statusCode());
        assertError(refresh(session.get("refreshToken").asText()), 401, "INVALID_REFRESH_TOKEN");
        assertEquals(Status.UNKNOWN, status(claims(session)));
        assertEquals(0, sessionRows("leaver"));
    }

    @Test
    void aLogoutAtAGateEndsTheSessionAtTheApiToo() throws Exception {
        register("gateleaver");
        JsonNode session = login(api, "gateleaver", "d1");
        TokenClaims c = claims(session);

        // what a gate does on LOGOUT
        active.logout(c.uid(), c.deviceId(), c.sessionId(), Duration.ofDays(30)).get(5, TimeUnit.SECONDS);

        assertEquals(401, profile(session.get("token").asText()).statusCode());
        assertError(refresh(session.get("refreshToken").asText()), 401, "INVALID_REFRESH_TOKEN");
        assertEquals(0, sessionRows("gateleaver"), "MySQL learns of the logout at the next look");
    }

    @Test
    void aNewLoginOfTheSameDeviceRevokesTheOlderTokenButNotOtherDevices() throws Exception {
        register("twice");
        JsonNode older = login(api, "twice", "d1");
        JsonNode tablet = login(api, "twice", "tablet");
        JsonNode newer = login(api, "twice", "d1");

        assertEquals(401, profile(older.get("token").asText()).statusCode());
        assertEquals(Status.REPLACED, status(claims(older)));
        assertError(refresh(older.get("refreshToken").asText()), 401, "INVALID_REFRESH_TOKEN");
        assertEquals(200, profile(newer.get("token").asText()).statusCode());
        assertEquals(200, profile(tablet.get("token").asText()).statusCode());
    }

    @Test
    void aNewLoginOfTheSameDeviceKicksTheOlderSessionsLiveConnectionAndNoOtherDevices() throws Exception {
        // tools/probe/repro/repro_relogin.py: the older session's connection stayed open until the new token
        // logged in at a gate
        register("relogin");
        JsonNode older = login(kickingApi, "relogin", "phone");
        JsonNode tablet = login(kickingApi, "relogin", "tablet");
        long uid = claims(older).uid();
        // the routes gates registered when the older phone token and the tablet token logged in there
        routes.register(new Route(uid, "phone", "ANDROID", "gate-k", 71, CLOCK.millis())).get(5, TimeUnit.SECONDS);
        routes.register(new Route(uid, "tablet", "ANDROID", "gate-k", 72, CLOCK.millis())).get(5, TimeUnit.SECONDS);

        login(kickingApi, "relogin", "phone");
        // a marker behind it on the same partition (key = uid): the tablet logs out, which kicks connection 72
        HttpResponse<String> out = send(HttpRequest.newBuilder(uri(kickingApi, "/v1/sessions/current"))
                .header("Authorization", "Bearer " + tablet.get("token").asText()).DELETE().build());
        assertEquals(204, out.statusCode(), out.body());

        List<PushTask> kicks = kicksOf(uid, 72);
        assertEquals(2, kicks.size(), "the phone's KICK, then the tablet's logout marker: " + kicks);
        PushTask phone = kicks.get(0);
        assertEquals(Command.KICK.code(), phone.getCommand());
        assertEquals(1, phone.getTargetsCount());
        assertEquals(71, phone.getTargets(0).getConnectionId(), "the older phone session's connection");
        assertEquals("gate-k", phone.getTargets(0).getGateId());
        Kick kick = Kick.parseFrom(phone.getBody());
        assertEquals(KickReason.DUPLICATE_DEVICE, kick.getReason());
        assertTrue(kick.getMessage().contains("logged in again"), kick.getMessage());
    }

    /** The KICK push tasks of {@code uid} up to and including the one to {@code lastConnection}. */
    private static List<PushTask> kicksOf(long uid, long lastConnection) throws Exception {
        List<PushTask> kicks = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : pushConsumer.poll(Duration.ofMillis(500))) {
                PushTask task = PushTask.parseFrom(r.value());
                if (!r.key().equals(Long.toString(uid)) || task.getCommand() != Command.KICK.code()) {
                    continue;
                }
                kicks.add(task);
                if (task.getTargets(0).getConnectionId() == lastConnection) {
                    return kicks;
                }
            }
        }
        throw new AssertionError("no KICK of connection " + lastConnection + " within 60 s; got " + kicks);
    }

    @Test
    void aPasswordChangeEndsTheOtherDevicesSessionsAndKeepsTheCallers() throws Exception {
        register("changer");
        JsonNode phone = login(api, "changer", "phone");
        JsonNode laptop = login(api, "changer", "laptop");

        HttpResponse<String> wrong = put("/v1/accounts/me/password", phone.get("token").asText(),
                "{\"currentPassword\":\"not it at all\",\"newPassword\":\"a brand new one\"}");
        assertError(wrong, 403, "BAD_CREDENTIALS");
        HttpResponse<String> changed = put("/v1/accounts/me/password", phone.get("token").asText(),
                "{\"currentPassword\":\"password of changer\",\"newPassword\":\"a brand new one\"}");

        assertEquals(204, changed.statusCode(), changed.body());
        assertEquals(200, profile(phone.get("token").asText()).statusCode());
        assertEquals(401, profile(laptop.get("token").asText()).statusCode());
        assertError(refresh(laptop.get("refreshToken").asText()), 401, "INVALID_REFRESH_TOKEN");
        assertNotEquals(Status.CURRENT, status(claims(laptop)));
        assertEquals(401, post(api, "/v1/sessions", loginBody("changer", "password of changer", "x")).statusCode());
        assertEquals(200, post(api, "/v1/sessions", loginBody("changer", "a brand new one", "x")).statusCode());
    }

    @Test
    void anOperatorKickNeedsTheAdminTokenAndRevokesTheDevice() throws Exception {
        register("kicked");
        JsonNode session = login(api, "kicked", "d1");
        long uid = session.get("uid").asLong();
        String body = "{\"uid\":" + uid + ",\"deviceId\":\"d1\",\"message\":\"abuse report 42\"}";

        assertError(admin(null, body), 401, "UNAUTHORIZED");
        assertError(admin("Bearer " + session.get("token").asText(), body), 401, "UNAUTHORIZED");
        HttpResponse<String> kicked = admin("Bearer " + ADMIN, body);

        assertEquals(200, kicked.statusCode(), kicked.body());
        assertEquals("d1", json(kicked).get("devices").get(0).asText());
        assertEquals(401, profile(session.get("token").asText()).statusCode());
        assertNotEquals(Status.CURRENT, status(claims(session)));
        HttpResponse<String> disabled = send(HttpRequest.newBuilder(uri(addressLimitedApi, "/v1/admin/kick"))
                .header("Authorization", "Bearer " + ADMIN).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertError(disabled, 403, "ADMIN_DISABLED");
    }

    @Test
    void afterRedisLostTheSessionTheApiAsksMysqlAndTellsTheGatesAgain() throws Exception {
        register("flushed");
        JsonNode session = login(api, "flushed", "d1");
        TokenClaims c = claims(session);
        active.revoke(c.uid(), c.deviceId()).get(5, TimeUnit.SECONDS); // as after FLUSHALL
        assertEquals(Status.UNKNOWN, status(c), "a gate would refuse the token now");

        assertEquals(200, profile(session.get("token").asText()).statusCode());

        assertEquals(Status.CURRENT, status(c));
    }

    // ---- login attempt limits

    @Test
    void loginAttemptsArePerAccountLimitedEvenWithTheRightPassword() throws Exception {
        register("guessed");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, post(api, "/v1/sessions", loginBody("guessed", "guess " + i, "d1")).statusCode());
        }

        HttpResponse<String> limited = post(api, "/v1/sessions", loginBody("guessed", "password of guessed", "d1"));

        assertError(limited, 429, "RATE_LIMITED");
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 300, "Retry-After " + retryAfter);
        assertTrue(json(limited).get("message").asText().contains("at most 5 per 300 s"), limited.body());
        register("bystander");
        assertEquals(200, post(api, "/v1/sessions", loginBody("bystander", "password of bystander", "d1"))
                .statusCode(), "another account from the same address is not affected");
    }

    @Test
    void loginAttemptsArePerAddressLimitedAcrossAccounts() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(401, post(addressLimitedApi, "/v1/sessions", loginBody("spray" + i, "password", "d1"))
                    .statusCode());
        }

        HttpResponse<String> limited = post(addressLimitedApi, "/v1/sessions", loginBody("spray9", "password", "d1"));

        assertError(limited, 429, "RATE_LIMITED");
        assertTrue(json(limited).get("message").asText().contains("from address"), limited.body());
    }

    // ---- helpers

    private void register(String user) throws Exception {
        HttpResponse<String> r = post(api, "/v1/accounts", "{\"username\":\"" + user + "\",\"password\":\"password of "
                + user + "\"}");
        assertEquals(201, r.statusCode(), r.body());
    }

    private JsonNode login(AccountApi to, String user, String device) throws Exception {
        HttpResponse<String> r = post(to, "/v1/sessions", loginBody(user, "password of " + user, device));
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static String loginBody(String user, String password, String device) {
        return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\",\"deviceId\":\"" + device
                + "\",\"platform\":\"ANDROID\"}";
    }

    private HttpResponse<String> refresh(String refreshToken) throws Exception {
        return post(api, "/v1/sessions/refresh", "{\"refreshToken\":\"" + refreshToken + "\"}");
    }

    private HttpResponse<String> profile(String token) throws Exception {
        long uid = new TokenCodec(SECRET, CLOCK).verify(token).uid();
        return send(HttpRequest.newBuilder(uri(api, "/v1/accounts/" + uid))
                .header("Authorization", "Bearer " + token).GET().build());
    }

    private HttpResponse<String> admin(String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(api, "/v1/admin/kick"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    private HttpResponse<String> put(String path, String token, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(api, path)).header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> post(AccountApi to, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(to, path)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return CONTRACT.send(http, request);
    }

    private static URI uri(AccountApi to, String path) {
        return URI.create("http://127.0.0.1:" + to.port() + path);
    }

    private static TokenClaims claims(JsonNode session) throws Exception {
        return new TokenCodec(SECRET, CLOCK).verify(session.get("token").asText());
    }

    private static Status status(TokenClaims c) throws Exception {
        return active.status(c.uid(), c.deviceId(), c.sessionId()).get(5, TimeUnit.SECONDS);
    }

    private static int sessionRows(String user) throws Exception {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM device_session s JOIN account a"
                        + " ON a.uid = s.uid WHERE a.username = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, json(r).get("code").asText(), r.body());
    }
}
