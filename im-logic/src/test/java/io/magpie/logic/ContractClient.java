package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.testkit.OpenApiContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.IntSupplier;

/** The account API over real HTTP for the ITs, every answer checked against accounts.yaml. */
final class ContractClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenApiContract contract;
    private final IntSupplier port;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param port the running API's port (asked per request: the API starts after the test class loads) */
    ContractClient(OpenApiContract contract, IntSupplier port) {
        this.contract = contract;
        this.port = port;
    }

    /** {@code method path} with a JSON {@code body} (or none) and a bearer {@code token} (or none). */
    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return contract.send(http, b.build());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.getAsInt() + path);
    }

    /** The answer is the error {@code code} with {@code status}, its message containing {@code messagePart}. */
    static void assertError(HttpResponse<String> r, int status, String code, String messagePart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(code, body.get("code").asText(), r.body());
        assertTrue(body.get("message").asText().contains(messagePart), r.body());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }
}
