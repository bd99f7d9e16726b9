package io.magpie.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.magpie.protocol.proto.Platform;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the SDK sends the LSB and the account API for {@link ClientConfig#appId()} and {@link ClientConfig#zone()}. */
class AppAndZoneRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GATE = "{\"gateId\":\"g1\",\"host\":\"10.0.0.7\",\"tcpPort\":7000,\"wsPort\":0,"
            + "\"tcp\":\"10.0.0.7:7000\",\"ws\":null,\"tls\":false,\"zone\":\"zone-b\"}";
    private static final String SESSION = "{\"uid\":7,\"token\":\"t\",\"expiresAt\":4102444800000,"
            + "\"refreshToken\":\"r\",\"refreshExpiresAt\":4102444800000}";

    /** A loopback HTTP server standing in for the LSB and the account API; records what it got. */
    private HttpServer server;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/gate", exchange -> {
            queries.add(String.valueOf(exchange.getRequestURI().getRawQuery()));
            answer(exchange, GATE);
        });
        server.createContext("/v1/sessions", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, SESSION);
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private ClientConfig.Builder config() {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return ClientConfig.builder().lsbUrl(base).accountApiUrl(base).deviceId("phone-1");
    }

    @Test
    void theLsbIsAskedForTheAppGrayGroupAndZoneAndTheAnswerSaysTheZone() {
        GateAddress gate = new LsbClient(config().appId("chat").grayTag("canary").zone("zone-a").build()).pickGate();

        assertEquals(List.of("appId=chat&gray=canary&zone=zone-a"), queries);
        assertEquals("zone-b", gate.zone(), "the LSB fell back to another zone and says so");
    }

    @Test
    void withoutAppIdOrZoneTheLsbQueryIsWhatItAlwaysWas() {
        new LsbClient(config().build()).pickGate();

        assertEquals(List.of("null"), queries, "no query string at all");
    }

    @Test
    void theLoginNamesTheConfiguredAppAndOnlyThen() throws Exception {
        new AccountClient(config().appId("chat").build()).login("alice", "password1", "phone-1", Platform.IOS);
        new AccountClient(config().build()).login("alice", "password1", "phone-1", Platform.IOS);
        new AccountClient(config().appId("chat").build()).login("alice", "password1", "phone-1", Platform.IOS, "game");

        JsonNode withApp = JSON.readTree(bodies.get(0));
        assertEquals("chat", withApp.path("appId").asText());
        assertFalse(JSON.readTree(bodies.get(1)).has("appId"), bodies.get(1));
        assertEquals("game", JSON.readTree(bodies.get(2)).path("appId").asText());
        assertTrue(withApp.path("deviceId").asText().equals("phone-1"));
    }
}
