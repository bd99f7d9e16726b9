package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.http.CrossOrigin;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The account API as a browser sees it: the web chat page at /chat/ (a stand-in index.html from the test
 * resources), its config.json, and CORS answers for a page of another origin; on a real MariaDB.
 */
@ExtendWith(InfrastructureExtension.class)
class WebChatAndCorsIT {

    private static final byte[] SECRET = "a-web-chat-and-cors-it-secret-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final String PAGE_ORIGIN = "http://chat.example.com:3000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");

    private static Database database;
    private static AccountApi open;
    private static AccountApi restricted;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        open = api(LogicConfig.builder("unused:9092", SECRET).webLsbUrl("http://127.0.0.1:18080"));
        restricted = api(LogicConfig.builder("unused:9092", SECRET)
                .cors(new CrossOrigin(List.of("https://only.example.com"))));
    }

    private static AccountApi api(LogicConfig.Builder config) {
        return new AccountApi(config.httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).build(),
                database.dataSource(), AccountApiIT.ids(database), Clock.systemUTC(), () -> true, () -> true).start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {open, restricted, database}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + c, e);
                }
            }
        }
    }

    @Test
    void thePageIsServedWithItsConfigurationAndTheRootLeadsToIt() throws Exception {
        HttpResponse<String> page = send(open, HttpRequest.newBuilder(uri(open, "/chat/")).GET());
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("web chat test page"), page.body());
        assertEquals(Optional.of("no-cache"), page.headers().firstValue("Cache-Control"));

        HttpResponse<String> config = CONTRACT.send(http, HttpRequest.newBuilder(uri(open, "/chat/config.json"))
                .GET().build());
        assertEquals(200, config.statusCode(), config.body());
        JsonNode body = JSON.readTree(config.body());
        assertEquals("", body.get("accountUrl").asText(), "the page's own origin");
        assertEquals("http://127.0.0.1:18080", body.get("lsbUrl").asText());

        HttpResponse<String> redirect = send(open, HttpRequest.newBuilder(uri(open, "/")).GET());
        assertEquals(302, redirect.statusCode());
        assertEquals(Optional.of("/chat/"), redirect.headers().firstValue("Location"));
    }

    @Test
    void withoutTheLsbAddressThereIsNoPage() throws Exception {
        HttpResponse<String> page = send(restricted, HttpRequest.newBuilder(uri(restricted, "/chat/")).GET());
        assertEquals(404, page.statusCode(), page.body());
        assertEquals(404, CONTRACT.send(http, HttpRequest.newBuilder(uri(restricted, "/chat/config.json")).GET()
                .build()).statusCode());
    }

    @Test
    void aPageOfAnotherOriginMayCallTheApiWithABearerToken() throws Exception {
        HttpResponse<String> preflight = send(open, HttpRequest.newBuilder(uri(open, "/v1/accounts/1"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", PAGE_ORIGIN)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization,content-type"));
        assertEquals(200, preflight.statusCode(), preflight.body());
        assertEquals(Optional.of("*"), preflight.headers().firstValue("Access-Control-Allow-Origin"));
        String allowed = preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
        assertTrue(allowed.contains("authorization"), allowed);

        HttpResponse<String> refused = send(open, HttpRequest.newBuilder(uri(open, "/v1/accounts/1"))
                .header("Origin", PAGE_ORIGIN).GET());
        assertEquals(401, refused.statusCode(), "no token: " + refused.body());
        assertEquals(Optional.of("*"), refused.headers().firstValue("Access-Control-Allow-Origin"),
                "the page's script may read the refusal");
    }

    @Test
    void anOriginOutsideTheListGetsNoCorsHeaders() throws Exception {
        HttpResponse<String> other = send(restricted, HttpRequest.newBuilder(uri(restricted, "/v1/accounts/1"))
                .header("Origin", PAGE_ORIGIN).GET());
        assertEquals(Optional.empty(), other.headers().firstValue("Access-Control-Allow-Origin"));
        HttpResponse<String> listed = send(restricted, HttpRequest.newBuilder(uri(restricted, "/v1/accounts/1"))
                .header("Origin", "https://only.example.com").GET());
        assertEquals(Optional.of("https://only.example.com"),
                listed.headers().firstValue("Access-Control-Allow-Origin"));
    }

    private static URI uri(AccountApi api, String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    private HttpResponse<String> send(AccountApi api, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
