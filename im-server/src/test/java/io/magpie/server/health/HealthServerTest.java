package io.magpie.server.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.http.BodyLimit;
import io.magpie.http.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean routerLive = new AtomicBoolean(true);
    private final AtomicBoolean notifierReady = new AtomicBoolean(true);
    private HealthServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void servesTheProcessMetricsInThePrometheusTextFormatNextToTheProbes() throws Exception {
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(
                new HealthServer.Check("router", () -> true, () -> true)),
                () -> "# TYPE magpie_router_tasks_total counter\nmagpie_router_tasks_total{role=\"router\"} 3.0\n");

        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertEquals(HealthServer.METRICS_CONTENT_TYPE, metrics.headers().firstValue("Content-Type").orElse(""));
        assertTrue(metrics.body().contains("magpie_router_tasks_total{role=\"router\"} 3.0"), metrics.body());
        assertEquals(200, get("/health/live").statusCode());
    }

    @Test
    void withoutAMetricsSourceThereIsNoMetricsEndpoint() throws Exception {
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of());

        assertEquals(404, get("/metrics").statusCode());
    }

    @Test
    void answersUpWhileEveryRoleIsUpAndNamesTheRoleThatIsNot() throws Exception {
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(
                new HealthServer.Check("router", routerLive::get, () -> true),
                new HealthServer.Check("notifier", () -> true, notifierReady::get)));

        HttpResponse<String> live = get("/health/live");
        assertEquals(200, live.statusCode());
        assertTrue(live.body().contains("\"status\":\"UP\""), live.body());

        routerLive.set(false); // its consumer loop ended or is wedged
        live = get("/health/live");
        assertEquals(503, live.statusCode(), "an orchestrator restarts the process");
        assertTrue(live.body().contains("\"router\":\"DOWN\""), live.body());
        assertTrue(live.body().contains("\"notifier\":\"UP\""), live.body());

        notifierReady.set(false);
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("\"notifier\":\"DOWN\""), ready.body());
    }

    @Test
    void whileTheRolesWaitForTheEnginesItIsLiveButNotReadyAndAnswersForEachRoleOnceAdded() throws Exception {
        AtomicBoolean started = new AtomicBoolean();
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(
                new HealthServer.Check("startup", () -> true, started::get)));

        assertEquals(200, get("/health/live").statusCode(), "waiting for Redis/Kafka/MySQL is not a reason to restart");
        HttpResponse<String> waiting = get("/health/ready");
        assertEquals(503, waiting.statusCode());
        assertTrue(waiting.body().contains("\"startup\":\"DOWN\""), waiting.body());

        server.add(new HealthServer.Check("router", routerLive::get, () -> true));
        started.set(true);
        assertEquals(200, get("/health/ready").statusCode());
        routerLive.set(false);
        HttpResponse<String> live = get("/health/live");
        assertEquals(503, live.statusCode(), "an added role is checked");
        assertTrue(live.body().contains("\"router\":\"DOWN\""), live.body());
    }

    @Test
    void aCheckThatThrowsCountsAsDown() throws Exception {
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(
                new HealthServer.Check("gate", () -> {
                    throw new IllegalStateException("boom");
                }, () -> true)));

        HttpResponse<String> live = get("/health/live");
        assertEquals(503, live.statusCode());
        assertTrue(live.body().contains("\"gate\":\"DOWN\""), live.body());
    }

    @Test
    void requestBodiesAreBoundedChunkedOrNotAndTheListenerKeepsServing() throws Exception {
        server = HealthServer.start(new HealthConfig(true, "127.0.0.1", 0), List.of(
                new HealthServer.Check("gate", () -> true, () -> true)));
        // no route reads a body: an endless one is not taken, the connection ends
        RawHttp.endlessChunkedPost(server.port(), "/health/live", 64L << 20);
        String declared = RawHttp.request(server.port(), "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + (BodyLimit.DEFAULT_MAX_BYTES + 1) + "\r\n\r\n" + "x".repeat(1024));
        assertEquals("HTTP/1.1 413 Payload Too Large", RawHttp.statusLine(declared));
        assertEquals(200, get("/health/live").statusCode(), "the listener still serves");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HealthDocumentTest.CONTRACT.send(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + path)).GET().build());
    }
}
