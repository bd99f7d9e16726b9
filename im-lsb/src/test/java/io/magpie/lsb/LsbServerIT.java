package io.magpie.lsb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.http.BodyLimit;
import io.magpie.http.RawHttp;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RedisStore;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import io.magpie.engines.TestIsolation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The LSB against the real Redis gate registry, over real HTTP. */
@ExtendWith(InfrastructureExtension.class)
class LsbServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONG_TTL = Duration.ofMinutes(5);
    /** Every answer the tests get is checked against the document the LSB serves. */
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/lsb.yaml");

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RedisStore redis;
    private RedisGateRegistry registry;

    record Reply(int status, JsonNode body, String raw, String contentType) {
    }

    @BeforeEach
    void connect(Infrastructure infra, TestIsolation isolation) {
        // one prefix per test method: the gates of one test never show up in another
        String prefix = isolation.redisKeyPrefix() + System.nanoTime() + ":";
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), prefix));
        registry = new RedisGateRegistry(redis, LONG_TTL);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        redis.close();
    }

    private LsbServer startLsb() {
        LsbConfig config = LsbConfig.defaults().withHttpPort(0).withRegistryPollInterval(Duration.ofMillis(200))
                // generous, so no assignment ages out while the test runs on a slow machine
                .withAssignmentWindow(Duration.ofMinutes(5));
        LsbServer lsb = new LsbServer(config, registry, Clock.systemUTC()).start();
        toClose.add(lsb);
        return lsb;
    }

    private static GateInfo gate(String id, int tcpPort, int connections, GateState state) {
        return new GateInfo(id, "127.0.0.1", tcpPort, tcpPort + 1, tcpPort + 2, connections, state, Set.of(), "",
                System.currentTimeMillis());
    }

    private Reply get(LsbServer lsb, String pathAndQuery) throws IOException, InterruptedException {
        return get(lsb, pathAndQuery, null);
    }

    private Reply get(LsbServer lsb, String pathAndQuery, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsb.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return reply(CONTRACT.send(http, request.build()));
    }

    private Reply getUndocumented(LsbServer lsb, String path) throws IOException, InterruptedException {
        return reply(CONTRACT.sendUndocumented(http, HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + lsb.port() + path)).timeout(Duration.ofSeconds(10)).GET().build()));
    }

    private static Reply reply(HttpResponse<String> r) throws IOException {
        JsonNode body = null;
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/json")) {
            body = JSON.readTree(r.body());
        }
        return new Reply(r.statusCode(), body, r.body(), type);
    }

    private static void assertJsonError(Reply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.raw());
        assertEquals(code, reply.body().path("code").asText(), reply.raw());
        assertFalse(reply.body().path("message").asText().isBlank());
        assertFalse(reply.raw().contains("Exception") || reply.raw().contains("\tat "), "no stack trace: " + reply.raw());
    }

    @Test
    void spreadsClientsOverTheActiveGatesByHeadroomAndNeverPicksADrainingOne() throws Exception {
        registry.publish(gate("gate-a", 9000, 10, GateState.ACTIVE)).get(5, TimeUnit.SECONDS);
        registry.publish(gate("gate-b", 9100, 20, GateState.ACTIVE)).get(5, TimeUnit.SECONDS);
        registry.publish(gate("gate-c", 9200, 0, GateState.DRAINING)).get(5, TimeUnit.SECONDS);
        LsbServer lsb = startLsb();

        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            Reply r = get(lsb, "/v1/gate");
            assertEquals(200, r.status(), r.raw());
            counts.merge(r.body().path("gateId").asText(), 1, Integer::sum);
        }

        // a has 10 more free than b: it takes 10 alone, then they share the other 20 evenly,
        // even though neither gate reported anything new meanwhile. The empty DRAINING gate gets none.
        assertEquals(Map.of("gate-a", 20, "gate-b", 10), counts);
    }

    @Test
    void answersWhereToConnectOverTcpAndWebSocket() throws Exception {
        registry.publish(gate("gate-a", 9000, 0, GateState.ACTIVE)).get(5, TimeUnit.SECONDS);
        LsbServer lsb = startLsb();

        Reply r = get(lsb, "/v1/gate?appId=chat&gray=");

        assertEquals(200, r.status(), r.raw());
        assertEquals("gate-a", r.body().path("gateId").asText());
        assertEquals("127.0.0.1", r.body().path("host").asText());
        assertEquals(9000, r.body().path("tcpPort").asInt());
        assertEquals(9001, r.body().path("wsPort").asInt());
        assertEquals("127.0.0.1:9000", r.body().path("tcp").asText());
        assertEquals("ws://127.0.0.1:9001/ws", r.body().path("ws").asText());
    }

    @Test
    void aGateWhoseEntryExpiredDisappears() throws Exception {
        registry.publish(gate("gate-long", 9000, 50, GateState.ACTIVE)).get(5, TimeUnit.SECONDS);
        // gate-short behaves like a live gate: it republishes well within its 1 s TTL
        RedisGateRegistry shortLived = new RedisGateRegistry(redis, Duration.ofSeconds(1));
        ScheduledExecutorService gateShort = Executors.newSingleThreadScheduledExecutor();
        toClose.add(gateShort::shutdownNow);
        gateShort.scheduleWithFixedDelay(() -> shortLived.publish(gate("gate-short", 9100, 0, GateState.ACTIVE)).join(),
                0, 200, TimeUnit.MILLISECONDS);
        LsbServer lsb = startLsb();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals("gate-short", get(lsb, "/v1/gate").body().path("gateId").asText(),
                        "the idle gate is chosen while it is registered"));

        // gate-short crashes: it stops publishing, its hash expires, the LSB stops offering it
        gateShort.shutdownNow();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Reply gates = get(lsb, "/v1/gates");
            List<String> ids = new ArrayList<>();
            gates.body().path("gates").forEach(g -> ids.add(g.path("gateId").asText()));
            assertEquals(List.of("gate-long"), ids);
        });
        for (int i = 0; i < 5; i++) {
            assertEquals("gate-long", get(lsb, "/v1/gate").body().path("gateId").asText());
        }
    }

    private static GateInfo zoned(String id, int tcpPort, int connections, int capacity, String zone) {
        return new GateInfo(id, "127.0.0.1", tcpPort, tcpPort + 1, tcpPort + 2, connections, GateState.ACTIVE,
                Set.of(), "", System.currentTimeMillis(), "/ws", false, capacity, zone);
    }

    @Test
    void aClientGetsAGateOfItsZoneAndIsToldTheZoneOrFallsBackWhenItHasNone() throws Exception {
        registry.publish(zoned("gate-a", 9000, 500, 1000, "zone-a")).get(5, TimeUnit.SECONDS);
        registry.publish(zoned("gate-b", 9100, 0, 1000, "zone-b")).get(5, TimeUnit.SECONDS);
        LsbServer lsb = startLsb();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(200, get(lsb, "/v1/gate").status()));

        Reply inZone = get(lsb, "/v1/gate?zone=zone-a");
        assertEquals(200, inZone.status(), inZone.raw());
        assertEquals("gate-a", inZone.body().path("gateId").asText(), "its zone although busier");
        assertEquals("zone-a", inZone.body().path("zone").asText());

        Reply fallback = get(lsb, "/v1/gate?zone=zone-c");
        assertEquals("gate-b", fallback.body().path("gateId").asText(), "no gate in zone-c: the least loaded");
        assertEquals("zone-b", fallback.body().path("zone").asText(), "the answer says it is another zone");
    }

    @Test
    void theOpsViewShowsCapacityZoneAndRelativeLoad() throws Exception {
        registry.publish(zoned("gate-a", 9000, 250, 1000, "zone-a")).get(5, TimeUnit.SECONDS);
        LsbServer lsb = startLsb();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals(1, get(lsb, "/v1/gates").body().path("gates").size()));

        JsonNode gate = get(lsb, "/v1/gates").body().path("gates").get(0);

        assertEquals(1000, gate.path("capacity").asInt());
        assertEquals("zone-a", gate.path("zone").asText());
        assertEquals(0.25, gate.path("relativeLoad").asDouble(), 1e-9);
    }

    @Test
    void withOnlyADrainingGateThereIsNoGateAsJson() throws Exception {
        registry.publish(gate("gate-c", 9200, 0, GateState.DRAINING)).get(5, TimeUnit.SECONDS);
        LsbServer lsb = startLsb();

        Reply r = get(lsb, "/v1/gate");

        assertJsonError(r, 503, "NO_GATE");
        assertEquals("no ACTIVE gate is registered; start a gate or wait for it to report",
                r.body().path("message").asText());
    }

    @Test
    void theOpsViewListsEveryGateWithItsStateAndLoad() throws Exception {
        registry.publish(gate("gate-a", 9000, 10, GateState.ACTIVE)).get(5, TimeUnit.SECONDS);
        registry.publish(gate("gate-c", 9200, 3, GateState.DRAINING)).get(5, TimeUnit.SECONDS);
        LsbServer lsb = startLsb();
        get(lsb, "/v1/gate");

        Reply r = get(lsb, "/v1/gates");

        assertEquals(200, r.status(), r.raw());
        JsonNode gates = r.body().path("gates");
        assertEquals(2, gates.size());
        assertEquals("gate-a", gates.get(0).path("gateId").asText());
        assertEquals("ACTIVE", gates.get(0).path("state").asText());
        assertEquals(10, gates.get(0).path("connections").asInt());
        assertEquals(1, gates.get(0).path("recentAssignments").asInt());
        assertEquals("DRAINING", gates.get(1).path("state").asText());
        assertTrue(gates.get(1).path("reportAgeMillis").asLong() >= 0);
        assertTrue(r.body().path("registryReadAgeMillis").asLong() >= 0);
    }

    @Test
    void noPublicEndpointRevealsAnInternalPortAndTheAdminViewNeedsItsToken() throws Exception {
        registry.publish(gate("gate-a", 9000, 10, GateState.ACTIVE)).get(5, TimeUnit.SECONDS);
        String token = "lsb-admin-token-for-the-it-0123456789";
        LsbConfig config = LsbConfig.defaults().withHttpPort(0).withRegistryPollInterval(Duration.ofMillis(200))
                .withHost("127.0.0.1").withAdminToken(token);
        LsbServer lsb = new LsbServer(config, registry, Clock.systemUTC()).start();
        toClose.add(lsb);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(200, get(lsb, "/v1/gate").status()));

        for (String path : List.of("/v1/gate", "/v1/gates")) {
            Reply r = get(lsb, path);
            assertEquals(200, r.status(), r.raw());
            assertFalse(r.raw().contains("internalPort") || r.raw().contains("9002"), path + " shows " + r.raw());
        }
        assertJsonError(get(lsb, "/admin/v1/gates"), 401, "UNAUTHORIZED");
        assertJsonError(get(lsb, "/admin/v1/gates", "lsb-admin-token-for-the-it-0123456788"), 401, "UNAUTHORIZED");

        Reply admin = get(lsb, "/admin/v1/gates", token);
        assertEquals(200, admin.status(), admin.raw());
        assertEquals(9002, admin.body().path("gates").get(0).path("internalPort").asInt());
    }

    @Test
    void theAdminViewIsOffWithoutAToken() throws Exception {
        LsbServer lsb = startLsb();
        assertJsonError(get(lsb, "/admin/v1/gates", "anything-at-all-0123456789"), 404, "ADMIN_DISABLED");
    }

    @Test
    void healthOpenApiAndErrorsAreServed() throws Exception {
        LsbServer lsb = startLsb();

        assertEquals(200, get(lsb, "/health/live").status());
        Reply ready = get(lsb, "/health/ready");
        assertEquals(200, ready.status(), ready.raw());
        assertEquals("READY", ready.body().path("status").asText());

        Reply openApi = get(lsb, "/openapi.yaml");
        assertEquals(200, openApi.status());
        assertTrue(openApi.contentType().startsWith("application/yaml"), openApi.contentType());
        assertTrue(openApi.raw().startsWith("openapi: 3") && openApi.raw().contains("/v1/gate:"));

        assertJsonError(getUndocumented(lsb, "/no/such/thing"), 404, "NOT_FOUND");
        assertJsonError(get(lsb, "/v1/gate?appId=" + "x".repeat(200)), 400, "BAD_REQUEST");
    }

    @Test
    void requestBodiesAreBoundedChunkedOrNotAndTheLsbKeepsServing() throws Exception {
        LsbServer lsb = startLsb();
        // no route reads a body: the endless one is not taken, the connection ends
        RawHttp.endlessChunkedPost(lsb.port(), "/v1/gate?appId=a&gray=g", 64L << 20);
        String declared = RawHttp.request(lsb.port(), "POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + (BodyLimit.DEFAULT_MAX_BYTES + 1) + "\r\n\r\n" + "x".repeat(1024));
        assertEquals("HTTP/1.1 413 Payload Too Large", RawHttp.statusLine(declared));
        assertTrue(declared.contains("\"code\":\"PAYLOAD_TOO_LARGE\""), declared);
        assertEquals(200, get(lsb, "/health/live").status(), "the LSB still serves");
    }
}
