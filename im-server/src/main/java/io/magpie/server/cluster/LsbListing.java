package io.magpie.server.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until the LSB hands out a new gate: it lists it in {@code GET /v1/gates} once its registry poll
 * has seen the gate's registration. Used by {@code magpie cluster add gate}, so "started" means clients
 * can be sent there.
 */
final class LsbListing {

    private static final Logger log = LoggerFactory.getLogger(LsbListing.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** True once {@code lsbUrl}'s list names {@code gateId}; false (logged) if it does not within {@code timeout}. */
    boolean await(String lsbUrl, String gateId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (listed(lsbUrl).contains(gateId)) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        log.warn("[cluster] the LSB at {} does not list {} after {} s; check the gate's and the LSB's logs", lsbUrl,
                gateId, timeout.toSeconds());
        return false;
    }

    /** Gate ids the LSB lists now; empty when it does not answer. */
    List<String> listed(String lsbUrl) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(lsbUrl + "/v1/gates"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return List.of();
            }
            return JSON.readTree(response.body()).findValuesAsText("gateId");
        } catch (IOException notAnswering) {
            return List.of(); // stopped or restarting: the caller's deadline decides
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
