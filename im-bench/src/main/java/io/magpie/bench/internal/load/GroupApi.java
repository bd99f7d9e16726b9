package io.magpie.bench.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The account API's group endpoint the fan-out scenario needs (docs/dev/CONTRACTS.md "Delivery (issue 4)"):
 * {@code POST /v1/groups {name, members: [uid...]}} with {@code Authorization: Bearer <token>} ->
 * 201 {@code {groupId, name, ownerUid, members}}, called before any bench client connects (the SDK's
 * {@code Groups.create} needs a connected client). A server without the endpoint (404) fails with a message
 * saying so.
 * Thread-safe.
 */
public final class GroupApi {

    private final URI baseUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();

    public GroupApi(URI baseUrl, HttpClient http, Duration timeout) {
        this.baseUrl = baseUrl;
        this.http = http;
        this.timeout = timeout;
    }

    /** Creates a group owned by the token's user with {@code members}; completes with the group id. */
    public CompletableFuture<Long> create(String ownerToken, String name, List<Long> members) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("members", members);
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        URI uri = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/v1/groups");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Authorization", "Bearer " + ownerToken)
                .POST(HttpRequest.BodyPublishers.ofString(text)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> parse(uri, r));
    }

    private long parse(URI uri, HttpResponse<String> r) {
        if (r.statusCode() == 404 || r.statusCode() == 405) {
            throw new IllegalStateException("the account API at " + uri + " has no group endpoint (HTTP "
                    + r.statusCode() + " " + r.body() + "): POST /v1/groups is issue 4 work this server does not have;"
                    + " group-fanout cannot run against it");
        }
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new IllegalStateException("POST " + uri + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        try {
            JsonNode node = json.readTree(r.body());
            JsonNode id = node.get("groupId");
            if (id == null || !id.canConvertToLong()) {
                throw new IllegalStateException("POST " + uri + " answered without a numeric groupId: " + r.body());
            }
            return id.asLong();
        } catch (IOException e) {
            throw new IllegalStateException("POST " + uri + " answered with invalid JSON: " + r.body(), e);
        }
    }
}
