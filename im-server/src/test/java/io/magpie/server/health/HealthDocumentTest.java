package io.magpie.server.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.gate.HopLatencies;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.HopTrace;
import io.magpie.testkit.OpenApiContract;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * health.yaml, the health listener's OpenAPI document: valid as a client generator reads it, and what
 * {@code GET /debug/hops} answers matches it (the probes, /metrics and the drain endpoint are held to it in
 * {@link HealthServerTest} and {@code GateAdminRoutesTest}).
 */
class HealthDocumentTest {

    static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/health.yaml");

    private final HttpClient http = HttpClient.newHttpClient();
    private HealthServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theHealthDocumentHasNoProblems() {
        assertEquals(List.of(), OpenApiContract.problems("openapi/health.yaml"));
    }

    @Test
    void theListenerServesItsDocument() throws Exception {
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of());
        HttpResponse<String> doc = get("/openapi.yaml");
        assertEquals(200, doc.statusCode());
        try (InputStream in = HealthServer.class.getResourceAsStream(HealthServer.OPENAPI)) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), doc.body());
        }
        HttpResponse<String> unknown = CONTRACT.sendUndocumented(http, HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/nothing-here")).GET().build());
        assertEquals(404, unknown.statusCode());
        assertEquals("NOT_FOUND", json(unknown).get("code").asText(), unknown.body());
        HttpResponse<String> wrongMethod = CONTRACT.sendUndocumented(http, HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                .DELETE().build());
        assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
        assertEquals("METHOD_NOT_ALLOWED", json(wrongMethod).get("code").asText(), wrongMethod.body());
    }

    @Test
    void hopLatenciesAnswerAsDocumentedBeforeAndAfterTheGateRuns() throws Exception {
        HopRoutes hops = new HopRoutes(Clock.systemUTC());
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(), hops::install);

        HttpResponse<String> noGate = get("/debug/hops");
        assertEquals(503, noGate.statusCode());
        assertEquals("NO_GATE", json(noGate).get("code").asText());

        HopLatencies latencies = new HopLatencies(System.currentTimeMillis());
        latencies.record(Command.PUSH, HopTrace.newBuilder().setGateReceivedUs(1_000_000).setLogicPolledUs(1_000_300)
                .setLogicStoredUs(1_001_300).setPushProducedUs(1_001_310).setRouterPolledUs(1_001_710)
                .setRouterSentUs(1_001_810).build(), 1_001_860, 1_001_900);
        hops.attach(latencies);

        HttpResponse<String> answer = get("/debug/hops?reset=true");
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode push = json(answer).get("kinds").get(1);
        assertEquals("PUSH", push.get("kind").asText());
        assertEquals("TOTAL", push.get("hops").get(7).get("hop").asText());
        assertEquals(1, push.get("hops").get(7).get("count").asLong());
        assertEquals(0, json(get("/debug/hops")).get("kinds").get(1).get("hops").get(7).get("count").asLong(),
                "reset=true started a new window");
        assertEquals(400, get("/debug/hops?reset=yes").statusCode());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CONTRACT.send(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .GET().build());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return new ObjectMapper().readTree(r.body());
    }
}
