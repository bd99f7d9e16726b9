package io.magpie.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.DrainReport;
import io.magpie.server.health.HealthConfig;
import io.magpie.server.health.HealthServer;
import io.magpie.testkit.OpenApiContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate's drain endpoint on the health listener: who may call it and what it answers. */
class GateAdminRoutesTest {

    private static final String TOKEN = "gate-admin-routes-test-token-0123456789ab";
    /** Every answer is held to the health listener's document. */
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/health.yaml");

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger drains = new AtomicInteger();
    private HealthServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private GateAdminRoutes start(String token) {
        GateAdminRoutes routes = new GateAdminRoutes(token);
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(), routes::install);
        return routes;
    }

    private void attachGate(GateAdminRoutes routes) {
        routes.attach(new GateDrainControl() {
            @Override
            public Status status() {
                return new Status("gate-a", drains.get() == 0 ? "ACTIVE" : "DRAINING", 7, 0);
            }

            @Override
            public CompletableFuture<DrainReport> drain(String reason) {
                drains.incrementAndGet();
                return new CompletableFuture<>();
            }
        });
    }

    private HttpResponse<String> call(String method, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + GateAdminRoutes.PATH)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return CONTRACT.send(http, b.build());
    }

    @Test
    void withoutAnAdminTokenTheEndpointIsOffAndDrainsNothing() throws Exception {
        attachGate(start(null));
        HttpResponse<String> r = call("POST", "Bearer " + TOKEN);
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("ADMIN_DISABLED") && r.body().contains("gate.admin-token"), r.body());
        assertEquals(0, drains.get());
    }

    @Test
    void aMissingOrWrongTokenIsRefusedAndDrainsNothing() throws Exception {
        attachGate(start(TOKEN));
        assertEquals(401, call("POST", null).statusCode());
        assertEquals(401, call("POST", "Bearer " + TOKEN + "x").statusCode());
        assertEquals(401, call("POST", "Basic " + TOKEN).statusCode());
        assertEquals(401, call("GET", null).statusCode());
        assertEquals(0, drains.get());
    }

    @Test
    void theRightTokenStartsTheDrainAndReadsTheStatus() throws Exception {
        attachGate(start(TOKEN));
        HttpResponse<String> status = call("GET", "Bearer " + TOKEN);
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"state\":\"ACTIVE\""), status.body());

        HttpResponse<String> drain = call("POST", "Bearer " + TOKEN);
        assertEquals(202, drain.statusCode(), drain.body());
        assertTrue(drain.body().contains("\"gateId\":\"gate-a\"") && drain.body().contains("\"state\":\"DRAINING\"")
                && drain.body().contains("\"connections\":7"), drain.body());
        assertEquals(1, drains.get());
    }

    @Test
    void aStoppedGateSaysSo() throws Exception {
        GateAdminRoutes routes = start(TOKEN);
        routes.attach(new GateDrainControl() {
            @Override
            public Status status() {
                return new Status("gate-a", "STOPPED", 0, 12);
            }

            @Override
            public CompletableFuture<DrainReport> drain(String reason) {
                return new CompletableFuture<>();
            }
        });
        HttpResponse<String> status = call("GET", "Bearer " + TOKEN);
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"state\":\"STOPPED\""), status.body());
    }

    @Test
    void beforeTheGateRunsTheEndpointSaysSo() throws Exception {
        start(TOKEN);
        HttpResponse<String> r = call("POST", "Bearer " + TOKEN);
        assertEquals(503, r.statusCode());
        assertTrue(r.body().contains("NO_GATE"), r.body());
    }
}
