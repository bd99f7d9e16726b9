package io.magpie.server.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * What {@code magpie cluster add|stop|status} use to talk to the running {@code magpie cluster} through
 * its {@link ControlServer}, found through {@link ControlFile}. Not thread-safe; one per command.
 */
public final class ControlClient {

    /** Starting a JVM on a busy laptop, or a gate's drain (at most gate.drain.deadline + 15 s). */
    private static final Duration SLOW_REQUEST = Duration.ofMinutes(4);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ClusterLayout layout;
    private final ControlFile control;

    public ControlClient(ClusterLayout layout) {
        this.layout = layout;
        this.control = ControlFile.read(layout.controlFile());
    }

    public List<ProcessView> status() {
        return JSON.convertValue(send("GET", "/v1/processes", Duration.ofSeconds(10)), new TypeReference<>() { });
    }

    public ProcessView add(String role) {
        return JSON.convertValue(send("POST", "/v1/processes?role=" + URLEncoder.encode(role, StandardCharsets.UTF_8),
                SLOW_REQUEST), ProcessView.class);
    }

    public ProcessView stop(String name) {
        return JSON.convertValue(send("DELETE", "/v1/processes/" + URLEncoder.encode(name, StandardCharsets.UTF_8),
                SLOW_REQUEST), ProcessView.class);
    }

    private JsonNode send(String method, String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control.port() + path))
                .timeout(timeout).header("Authorization", "Bearer " + control.token())
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            boolean alive = ProcessHandle.of(control.pid()).map(ProcessHandle::isAlive).orElse(false);
            throw new ClusterException("the magpie cluster of " + layout.dataDir() + " does not answer on 127.0.0.1:"
                    + control.port() + (alive ? " (pid " + control.pid() + " runs; is it still starting?)"
                    : " (its pid " + control.pid() + " is gone: it was killed; " + layout.controlFile()
                    + " is stale; start the cluster again)"), e);
        } catch (IOException e) {
            throw new ClusterException(method + " " + path + " to the magpie cluster failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted during " + method + " " + path, e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ClusterException(method + " " + path + " answered " + response.statusCode() + " with a body that"
                    + " is not JSON: " + response.body(), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new ClusterException(body.path("message").asText(response.body()));
        }
        return body;
    }
}
