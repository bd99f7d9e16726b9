package io.magpie.router.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.magpie.bus.Topics;
import io.magpie.das.Database;
import io.magpie.das.DeviceToken;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.testkit.InfrastructureExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code fcm} notifier against a local server (the JDK's HttpServer) speaking FCM's documented
 * protocols: the OAuth2 token endpoint with the JWT-bearer grant (the assertion's RS256 signature is
 * checked against the public half of the service-account key made here, and its key id, issuer,
 * audience - always {@code https://oauth2.googleapis.com/token}, as Google documents - scope and times), and {@code POST /v1/projects/{project}/messages:send} with the HTTP v1 request and error
 * bodies. The worker runs on real Kafka and MariaDB, so a dead token is seen leaving the real
 * {@code device_token} table. Google's servers were not reachable from here.
 */
@ExtendWith(InfrastructureExtension.class)
class FcmNotifierIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PROJECT = "magpie-test";
    private static final String CLIENT_EMAIL = "notifier@magpie-test.iam.gserviceaccount.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static HttpServer fcm;
    private static PublicKey accountKey;
    private static String tokenUrl;
    private static Database database;
    private static DeviceTokenRepository tokens;
    private static FcmNotifier direct;
    private static Topics topics;
    private static NotifierFixture notifier;
    private static KafkaProducer<String, byte[]> producer;

    /** Every messages:send body the server answered 200, in order. */
    private static final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
    /** Access tokens the token endpoint issued: the ones messages:send accepts. */
    private static final List<String> issued = new CopyOnWriteArrayList<>();
    /** A JWT-bearer assertion the token endpoint refused, if any (the test fails on it). */
    private static final AtomicReference<String> refusedAssertion = new AtomicReference<>();
    /** Sends answered 401 before the token is accepted again (the token "expired" early). */
    private static final AtomicInteger unauthorizedLeft = new AtomicInteger();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) throws Exception {
        fcm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fcm.createContext("/token", FcmNotifierIT::token);
        fcm.createContext("/v1/projects/", FcmNotifierIT::send);
        fcm.start();
        String base = "http://127.0.0.1:" + fcm.getAddress().getPort();
        tokenUrl = base + "/token";

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair key = rsa.generateKeyPair();
        accountKey = key.getPublic();
        ObjectNode account = JSON.createObjectNode()
                .put("type", "service_account")
                .put("project_id", PROJECT)
                .put("private_key_id", "local-key-1")
                .put("private_key", "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                        .encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n")
                .put("client_email", CLIENT_EMAIL)
                .put("client_id", "1234567890")
                // Google's endpoint, as in a real key file: notifier.fcm.token-url must take its place
                .put("token_uri", "https://oauth2.googleapis.com/token");
        Path keyFile = dir.resolve("service-account.json");
        Files.write(keyFile, JSON.writeValueAsBytes(account));

        FcmConfig fcmConfig = FcmConfig.builder()
                .serviceAccountFile(keyFile)
                .baseUrl(base)
                .tokenUrl(tokenUrl)
                .title("Magpie")
                .build();
        notifier = new NotifierFixture(infra, iso, b -> b.fcm(fcmConfig));
        topics = notifier.topics;
        database = notifier.database;
        tokens = notifier.tokens;
        producer = notifier.producer;
        direct = FcmNotifier.create(fcmConfig, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {notifier, direct}) {
            if (c != null) {
                c.close();
            }
        }
        if (fcm != null) {
            fcm.stop(0);
        }
    }

    // ---- the local FCM

    /** The OAuth2 token endpoint: JWT-bearer grant (RFC 7523) with an RS256 assertion of the service account. */
    private static void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            String assertion = form.getOrDefault("assertion", "");
            if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
                    || !validAssertion(assertion)) {
                refusedAssertion.set(assertion);
                reply(exchange, 400, Map.of(), "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT\"}");
                return;
            }
            String accessToken = "ya29.local-" + (issued.size() + 1);
            issued.add(accessToken);
            reply(exchange, 200, Map.of(), "{\"access_token\":\"" + accessToken
                    + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
        }
    }

    private static boolean validAssertion(String jwt) {
        try {
            String[] parts = jwt.split("\\.");
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(accountKey);
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            long now = Instant.now().getEpochSecond();
            return parts.length == 3
                    && "RS256".equals(header.path("alg").asText())
                    && "local-key-1".equals(header.path("kid").asText())
                    && rs256.verify(Base64.getUrlDecoder().decode(parts[2]))
                    && CLIENT_EMAIL.equals(claims.path("iss").asText())
                    // Google's documented audience of a token request, whatever URL it is posted to
                    && "https://oauth2.googleapis.com/token".equals(claims.path("aud").asText())
                    && claims.path("scope").asText().contains(FcmAccessTokens.SCOPE)
                    && claims.path("exp").asLong() > now && claims.path("iat").asLong() <= now + 60;
        } catch (Exception e) {
            return false;
        }
    }

    /** messages:send: FCM's documented answers, chosen by the device token. */
    private static void send(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String path = exchange.getRequestURI().getPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!("/v1/projects/" + PROJECT + "/messages:send").equals(path)) {
                reply(exchange, 404, Map.of(), error(404, "NOT_FOUND", "Requested entity was not found.", null));
                return;
            }
            if (auth == null || !auth.startsWith("Bearer ") || !issued.contains(auth.substring("Bearer ".length()))
                    || unauthorizedLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply(exchange, 401, Map.of(), error(401, "UNAUTHENTICATED", "Request had invalid authentication"
                        + " credentials.", "THIRD_PARTY_AUTH_ERROR"));
                return;
            }
            String token = body.at("/message/token").asText();
            switch (token) {
                case "fcm-unregistered" -> reply(exchange, 404, Map.of(),
                        error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"));
                case "fcm-malformed" -> reply(exchange, 400, Map.of(), "{\"error\":{\"code\":400,\"message\":"
                        + "\"The registration token is not a valid FCM registration token\",\"status\":"
                        + "\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1"
                        + ".FcmError\",\"errorCode\":\"INVALID_ARGUMENT\"},{\"@type\":\"type.googleapis.com/google.rpc"
                        + ".BadRequest\",\"fieldViolations\":[{\"field\":\"message.token\",\"description\":"
                        + "\"Invalid registration token\"}]}]}}");
                case "fcm-bad-payload" -> reply(exchange, 400, Map.of(), "{\"error\":{\"code\":400,\"message\":"
                        + "\"Invalid value at 'message.android.ttl'\",\"status\":\"INVALID_ARGUMENT\",\"details\":"
                        + "[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":[{\"field\":"
                        + "\"message.android.ttl\",\"description\":\"Invalid value\"}]}]}}");
                case "fcm-overloaded" -> reply(exchange, 503, Map.of("Retry-After", "7"),
                        error(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE"));
                case "fcm-quota" -> reply(exchange, 429, Map.of("Retry-After", "30"), error(429, "RESOURCE_EXHAUSTED",
                        "Quota exceeded.", "QUOTA_EXCEEDED"));
                default -> {
                    delivered.add(body);
                    reply(exchange, 200, Map.of(), "{\"name\":\"projects/" + PROJECT + "/messages/0:" + delivered.size()
                            + "\"}");
                }
            }
        }
    }

    private static String error(int code, String status, String message, String fcmErrorCode) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\""
                + (fcmErrorCode == null ? "" : ",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1"
                + ".FcmError\",\"errorCode\":\"" + fcmErrorCode + "\"}]") + "}}";
    }

    private static void reply(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    // ---- tests

    @Test
    void aTaskReachesEveryFcmDeviceOfTheUserAndAnUnregisteredTokenLeavesTheStore() throws Exception {
        tokens.upsert(new DeviceToken(701, "phone", "ANDROID", "fcm", "fcm-live-701", 1));
        tokens.upsert(new DeviceToken(701, "tablet", "ANDROID", "fcm", "fcm-live-701b", 1));
        tokens.upsert(new DeviceToken(701, "old-phone", "ANDROID", "fcm", "fcm-unregistered", 1));

        producer.send(new ProducerRecord<>(topics.offline(), "701", OfflineTask.newBuilder().setUid(701)
                .setConversationId("g_77").setMsgId(88_001).setSeq(12).setSenderUid(700).setPreview("hi group")
                .setCreatedAt(1).build().toByteArray())).get();

        await().atMost(WAIT).until(() -> tokens.findByUid(701).size() == 2);
        assertEquals(List.of("phone", "tablet"), tokens.findByUid(701).stream().map(DeviceToken::deviceId).toList(),
                "the UNREGISTERED token is removed, the others stay");
        JsonNode phone = await().atMost(WAIT).until(() -> deliveredTo("fcm-live-701"), n -> n != null);
        await().atMost(WAIT).until(() -> deliveredTo("fcm-live-701b") != null);
        assertEquals(JSON.readTree("""
                {"message":{"token":"fcm-live-701",
                  "notification":{"title":"Magpie","body":"hi group"},
                  "data":{"conversationId":"g_77","seq":"12","msgId":"88001","senderUid":"700","badge":"0"},
                  "android":{"collapse_key":"g_77","priority":"HIGH","ttl":"86400s",
                             "notification":{"tag":"g_77","notification_count":0}}}}"""), phone);
        assertTrue(refusedAssertion.get() == null, "every JWT-bearer assertion was valid");
    }

    @Test
    void aSilentNotificationIsDataOnlyAtNormalPriority() throws Exception {
        direct.send(new PushNotification(702, "phone", "fcm", "fcm-quiet-702", "s_1_702", 5, 3, 1, "not shown",
                PushNotification.Priority.SILENT, OptionalInt.of(4))).get(30, TimeUnit.SECONDS);

        JsonNode m = deliveredTo("fcm-quiet-702").get("message");
        assertFalse(m.has("notification"));
        assertFalse(m.get("android").has("notification"));
        assertEquals("NORMAL", m.at("/android/priority").asText());
        assertEquals("s_1_702", m.at("/android/collapse_key").asText());
        assertEquals("4", m.at("/data/badge").asText());
    }

    @Test
    void errorsAreSortedIntoDeadTokensRetryableWithRetryAfterAndRefused() {
        NotificationException unregistered = failure("fcm-unregistered");
        assertTrue(unregistered.deadToken() && !unregistered.retryable(), unregistered.getMessage());

        NotificationException malformed = failure("fcm-malformed");
        assertTrue(malformed.deadToken(), "INVALID_ARGUMENT about message.token: " + malformed.getMessage());

        NotificationException badPayload = failure("fcm-bad-payload");
        assertFalse(badPayload.deadToken(), "INVALID_ARGUMENT about the rest of the message keeps the token");
        assertFalse(badPayload.retryable());

        NotificationException overloaded = failure("fcm-overloaded");
        assertTrue(overloaded.retryable() && !overloaded.deadToken());
        assertEquals(Duration.ofSeconds(7), overloaded.retryAfter().orElseThrow());

        NotificationException quota = failure("fcm-quota");
        assertTrue(quota.retryable());
        assertEquals(Duration.ofSeconds(30), quota.retryAfter().orElseThrow());
    }

    @Test
    void aWrongProjectsBare404IsNotADeadToken() {
        FcmNotifier wrongProject = new FcmNotifier(java.net.http.HttpClient.newHttpClient(),
                FcmAccessTokens.of(FcmAccessTokens.serviceAccount(dir.resolve("service-account.json"),
                        java.net.URI.create(tokenUrl))),
                FcmConfig.builder().serviceAccountFile(dir.resolve("service-account.json"))
                        .baseUrl("http://127.0.0.1:" + fcm.getAddress().getPort()).build(),
                "no-such-project", Duration.ofSeconds(10), java.time.Clock.systemUTC());
        try (wrongProject) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> wrongProject.send(note("fcm-live-703"))
                    .get(30, TimeUnit.SECONDS));
            NotificationException n = assertInstanceOf(NotificationException.class, e.getCause());
            assertFalse(n.deadToken(), n.getMessage());
            assertFalse(n.retryable());
        }
    }

    @Test
    void a401IsRetryableAndTheNextAttemptFetchesANewAccessToken() throws Exception {
        direct.send(note("fcm-live-704")).get(30, TimeUnit.SECONDS); // a token is cached
        int before = issued.size();
        unauthorizedLeft.set(1);

        NotificationException unauthorized = failure("fcm-live-704");
        assertTrue(unauthorized.retryable() && !unauthorized.deadToken(), unauthorized.getMessage());
        direct.send(note("fcm-live-704")).get(30, TimeUnit.SECONDS);

        assertEquals(before + 1, issued.size(), "one new access token after the 401");
        assertTrue(refusedAssertion.get() == null, "every JWT-bearer assertion was valid");
    }

    private static PushNotification note(String token) {
        return new PushNotification(703, "phone", "fcm", token, "s_1_703", 1, 1, 1, "hi");
    }

    private static NotificationException failure(String token) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> direct.send(note(token)).get(30, TimeUnit.SECONDS));
        return assertInstanceOf(NotificationException.class, e.getCause());
    }

    private static JsonNode deliveredTo(String token) {
        return delivered.stream().filter(b -> b.at("/message/token").asText().equals(token)).findFirst().orElse(null);
    }
}
