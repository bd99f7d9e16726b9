package io.magpie.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.internal.ApiJson;
import io.magpie.client.internal.Futures;
import io.magpie.client.internal.HttpJsonClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the LSB which gate to connect to (ARCHITECTURE §2 step 2): {@code GET /v1/gate?appId=&gray=&zone=}.
 * Ask again on every (re)connect; the answer is not cacheable. No gate -> {@link MagpieApiException}
 * 503 {@code NO_GATE} (retryable). Thread-safe; nothing to close.
 */
public final class LsbClient {

    public static final String GATE_PATH = "/v1/gate";
    private static final String SERVICE = "LSB";

    private final URI gateUri;
    private final HttpJsonClient http;

    /** Uses {@link ClientConfig#lsbUrl()}, its app id, gray tag, zone and request timeout. */
    public LsbClient(ClientConfig config) {
        this(config.lsbUrl(), config.appId(), config.grayTag(), config.zone(),
                HttpJsonClient.newHttpClient(config), config.requestTimeout());
    }

    /** @param appId / grayTag null for none; no zone preference */
    public LsbClient(URI lsbUrl, String appId, String grayTag, HttpClient httpClient, Duration requestTimeout) {
        this(lsbUrl, appId, grayTag, null, httpClient, requestTimeout);
    }

    /** @param appId / grayTag / zone null for none */
    public LsbClient(URI lsbUrl, String appId, String grayTag, String zone, HttpClient httpClient,
                     Duration requestTimeout) {
        Objects.requireNonNull(lsbUrl, "lsbUrl");
        StringBuilder query = new StringBuilder();
        appendParam(query, "appId", appId);
        appendParam(query, "gray", grayTag);
        appendParam(query, "zone", zone);
        this.gateUri = HttpJsonClient.resolve(lsbUrl, GATE_PATH + query);
        this.http = new HttpJsonClient(httpClient, new ApiJson(new ObjectMapper()), requestTimeout);
    }

    /** The gate to connect to; blocks up to the request timeout. */
    public GateAddress pickGate() {
        return Futures.join(pickGateAsync());
    }

    public CompletableFuture<GateAddress> pickGateAsync() {
        return http.get(SERVICE, gateUri, http.json()::gate);
    }

    private static void appendParam(StringBuilder query, String name, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        query.append(query.length() == 0 ? '?' : '&').append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
