package io.magpie.bench.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The LSB's ops view of the gates ({@code GET /v1/gates}): each gate's state, the connections it last
 * reported and the clients this LSB sent it since. The reconnect storm reads it to see where clients
 * landed (the client SDK does not expose the gate of a reconnected session). Thread-safe.
 */
public final class LsbGates {

    /** One gate as the LSB sees it. */
    public record Gate(String gateId, String state, int connections, int recentAssignments, long reportAgeMillis) {
    }

    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();

    public LsbGates(URI lsbUrl, HttpClient http, Duration timeout) {
        this.uri = URI.create(lsbUrl.toString().replaceAll("/+$", "") + "/v1/gates");
        this.http = http;
        this.timeout = timeout;
    }

    /** Every registered gate, in gate id order. */
    public List<Gate> list() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered HTTP " + r.statusCode() + ": " + r.body());
            }
            return parse(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + uri + " failed: " + e + "; is the LSB running at that URL?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + uri, e);
        }
    }

    /** Parses the body of {@code GET /v1/gates}. */
    public static List<Gate> parse(String body) throws IOException {
        JsonNode root = new ObjectMapper().readTree(body);
        List<Gate> gates = new ArrayList<>();
        for (JsonNode g : root.path("gates")) {
            gates.add(new Gate(g.path("gateId").asText(), g.path("state").asText(), g.path("connections").asInt(),
                    g.path("recentAssignments").asInt(), g.path("reportAgeMillis").asLong()));
        }
        return gates;
    }
}
