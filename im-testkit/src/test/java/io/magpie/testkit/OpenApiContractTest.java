package io.magpie.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** OpenApiContract refuses a broken document and every kind of off-contract answer. */
class OpenApiContractTest {

    private final OpenApiContract contract = OpenApiContract.load("openapi/contract-test.yaml");
    private final HttpRequest thing = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/v1/things/7")).build();

    @Test
    void aCommaInAFlowMappingDescriptionIsAProblem() {
        List<String> problems = OpenApiContract.problems("openapi/broken.yaml");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("since the epoch"), problems.toString());
        AssertionError e = assertThrows(AssertionError.class, () -> OpenApiContract.load("openapi/broken.yaml"));
        assertTrue(e.getMessage().contains("openapi/broken.yaml is not a valid OpenAPI document"), e.getMessage());
    }

    @Test
    void aDocumentedAnswerPasses() {
        HttpResponse<String> ok = response(200, "application/json", "{\"id\":7,\"name\":\"seven\"}");
        assertSame(ok, contract.check(thing, ok));
        contract.check(thing, response(404, "application/json;charset=utf-8", "{\"code\":\"NOT_FOUND\"}"));
    }

    @Test
    void anUndocumentedStatusFails() {
        assertOffContract(response(500, "application/json", "{\"code\":\"INTERNAL\"}"), "500");
    }

    @Test
    void anotherContentTypeFails() {
        assertOffContract(response(200, "text/plain", "seven"), "text/plain");
    }

    @Test
    void aBodyOffTheSchemaFails() {
        assertOffContract(response(200, "application/json", "{\"id\":\"7\",\"name\":\"seven\"}"), "id");
        assertOffContract(response(200, "application/json", "{\"id\":7}"), "name");
    }

    @Test
    void anUndocumentedFieldFails() {
        assertOffContract(response(200, "application/json", "{\"id\":7,\"name\":\"seven\",\"secret\":1}"), "secret");
    }

    @Test
    void aProbeOfAnUndocumentedRouteMustReallyBeUndocumented() {
        HttpResponse<String> notFound = response(404, "application/json", "{\"code\":\"NOT_FOUND\"}");
        HttpRequest unknownPath = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/v1/nothing")).build();
        HttpRequest unknownMethod = HttpRequest.newBuilder(thing.uri()).DELETE().build();
        assertSame(notFound, contract.checkUndocumented(unknownPath, notFound));
        assertSame(notFound, contract.checkUndocumented(unknownMethod, notFound));
        AssertionError e = assertThrows(AssertionError.class, () -> contract.checkUndocumented(thing, notFound));
        assertTrue(e.getMessage().contains("GET /v1/things/7 is documented"), e.getMessage());
    }

    private void assertOffContract(HttpResponse<String> response, String named) {
        AssertionError e = assertThrows(AssertionError.class, () -> contract.check(thing, response));
        assertTrue(e.getMessage().startsWith("GET /v1/things/7 answered " + response.statusCode()
                + " off the contract openapi/contract-test.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    private HttpResponse<String> response(int status, String contentType, String body) {
        HttpHeaders headers = HttpHeaders.of(Map.of("Content-Type", List.of(contentType)), (k, v) -> true);
        return new HttpResponse<>() {
            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public HttpRequest request() {
                return thing;
            }

            @Override
            public Optional<HttpResponse<String>> previousResponse() {
                return Optional.empty();
            }

            @Override
            public HttpHeaders headers() {
                return headers;
            }

            @Override
            public String body() {
                return body;
            }

            @Override
            public Optional<SSLSession> sslSession() {
                return Optional.empty();
            }

            @Override
            public URI uri() {
                return thing.uri();
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }
}
