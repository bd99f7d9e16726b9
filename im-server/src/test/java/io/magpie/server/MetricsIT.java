package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.client.Transport;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import io.magpie.server.config.ConfigTree;
import io.magpie.testkit.InfrastructureExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /metrics} of a process running every role (as {@code magpie standalone}): one message over
 * the whole path moves the gate's, logic's and router's meters, all on the health listener, in the
 * Prometheus text format, next to the JVM's and the MySQL pool's.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private static final String PASSWORD = "correct horse battery";

    private MagpieNode node;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        ConfigTree tree = ConfigTree.of("""
                redis:
                  key-prefix: "%s"
                kafka:
                  topic-prefix: "%s"
                  partitions: 2
                auth:
                  token-secret: "metrics-test-secret-of-32-bytes-or-more!!"
                cluster:
                  secret: "metrics-test-cluster-secret-of-32-bytes!!"
                gate:
                  id: "gate-metrics"
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                lsb:
                  port: 0
                  poll-interval: 200ms
                logic:
                  http-port: 0
                  pbkdf2-iterations: 1000
                """.formatted(isolation.redisKeyPrefix(), isolation.topicPrefix()), Map.of());
        node = TestNodes.allRoles(tree, infra, isolation);
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void oneMessageMovesTheMetersOfEveryRoleOnTheProcessMetricsEndpoint() throws Exception {
        HttpResponse<String> first = scrape();
        assertEquals(200, first.statusCode());
        assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                "Prometheus text format: " + first.headers().firstValue("Content-Type"));
        Map<String, Double> before = samples(first.body());
        double storedBefore = value(before, "magpie_logic_sends_stored_total{role=\"logic\"}");
        double ackedBefore = value(before, "magpie_gate_push_ack_seconds_count{gate=\"gate-metrics\",role=\"gate\"}");
        double routedBefore = value(before, "magpie_router_pushes_total{result=\"delivered\",role=\"router\"}");

        MagpieClient alice = connect("alice_metrics", "alice-phone", new CopyOnWriteArrayList<>());
        List<Message> bobGot = new CopyOnWriteArrayList<>();
        long bobUid = uidOf(connect("bob_metrics", "bob-phone", bobGot));
        for (int i = 1; i <= 3; i++) {
            alice.sendText(ConversationType.SINGLE, bobUid, "metered " + i).get(20, SECONDS);
        }
        await().atMost(20, SECONDS).until(() -> bobGot.size() >= 3);

        // the client acknowledges each PUSH; the gate times it from first write to PUSH_ACK
        await().atMost(20, SECONDS).untilAsserted(() -> {
            Map<String, Double> after = samples(scrape().body());
            assertTrue(value(after, "magpie_logic_sends_stored_total{role=\"logic\"}") >= storedBefore + 3,
                    "three SENDs stored: " + after);
            assertTrue(value(after, "magpie_gate_push_ack_seconds_count{gate=\"gate-metrics\",role=\"gate\"}")
                    >= ackedBefore + 3, "three PUSHes acknowledged");
            assertTrue(value(after, "magpie_router_pushes_total{result=\"delivered\",role=\"router\"}") > routedBefore,
                    "pushes delivered by the router");
        });

        String body = scrape().body();
        Map<String, Double> after = samples(body);
        assertTrue(value(after, "magpie_gate_frames_in_total{command=\"SEND\",gate=\"gate-metrics\",role=\"gate\"}")
                >= 3, "SEND frames counted");
        assertTrue(value(after, "magpie_gate_frames_out_total{command=\"PUSH\",gate=\"gate-metrics\",role=\"gate\"}")
                >= 3, "PUSH frames counted");
        assertTrue(value(after, "magpie_gate_logins_total{gate=\"gate-metrics\",result=\"ok\",role=\"gate\"}") >= 2,
                "both logins counted");
        assertTrue(value(after, "magpie_gate_connections{gate=\"gate-metrics\",role=\"gate\"}") >= 2,
                "both connections open: " + body.lines().filter(l -> l.contains("magpie_gate_connections")).toList());
        assertTrue(value(after, "magpie_logic_persist_seconds_count{outcome=\"ok\",role=\"logic\"}") >= 1,
                "the SEND transactions timed");
        for (String name : List.of(
                "magpie_gate_push_ack_seconds_bucket{", "magpie_gate_push_resends_total{",
                "magpie_gate_push_resends_skipped_total{",
                "magpie_gate_errors_total{code=\"RATE_LIMITED\"", "magpie_gate_errors_total{code=\"SERVER_BUSY\"",
                "magpie_logic_persist_seconds_bucket{", "magpie_logic_upstream_batch_records_count{",
                "magpie_logic_upstream_batch_seconds_count{", "magpie_logic_sends_received_total{",
                "magpie_router_push_seconds_bucket{", "magpie_router_batch_seconds_count{",
                "magpie_router_route_misses_total{", "magpie_router_tasks_total{",
                "kafka_consumer_fetch_manager_records_lag_max{",
                "hikaricp_connections_active{", "hikaricp_connections_acquire_seconds_count{",
                "jvm_memory_used_bytes{", "jvm_threads_live_threads", "jvm_gc_live_data_size_bytes",
                "process_cpu_usage")) {
            assertTrue(body.lines().anyMatch(l -> l.startsWith(name)), name + " is exposed");
        }
        assertTrue(body.contains("# TYPE magpie_gate_push_ack_seconds histogram"), "latency as a histogram");
        everyMetricOfTheAlertRulesIsExposed(body);
        assertTrue(body.lines().anyMatch(l -> l.startsWith("magpie_http_requests_seconds_count{")
                && l.contains("role=\"logic\"") && l.contains("route=\"/v1/accounts\"") && l.contains("status=\"")),
                "the account API's requests are timed by route template");
    }

    /**
     * deploy/prometheus/alerts.yml only names metrics this process exposes (an alert on a name that does not
     * exist never fires), and every rule says what to do.
     */
    private static void everyMetricOfTheAlertRulesIsExposed(String scrape) throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory())
                .readTree(DeployRoles.REPO.resolve("deploy/prometheus/alerts.yml").toFile()).path("groups").path(0)
                .path("rules");
        assertTrue(rules.size() >= 10, "the alert rules: " + rules);
        Pattern metric = Pattern.compile("\\b(magpie_[a-z_]+|kafka_[a-z_]+|hikaricp_[a-z_]+|jvm_[a-z_]+)\\b");
        for (JsonNode rule : rules) {
            String alert = rule.path("alert").asText();
            assertTrue(alert.startsWith("Magpie"), "alert name: " + rule);
            assertTrue(List.of("page", "warn", "info").contains(rule.path("labels").path("severity").asText()),
                    alert + " has a severity");
            assertTrue(rule.path("annotations").path("description").asText().length() > 40, alert + " says what to do");
            Matcher names = metric.matcher(rule.path("expr").asText());
            int found = 0;
            while (names.find()) {
                String name = names.group(1).replaceFirst("_(bucket|count|sum)$", "");
                found++;
                assertTrue(scrape.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " ")
                        || l.startsWith(name + "_bucket{") || l.startsWith(name + "_count{")),
                        alert + " uses " + name + ", which the process does not expose");
            }
            assertTrue(found > 0 || rule.path("expr").asText().startsWith("up{"), alert + " names a metric");
        }
    }

    private long uidOf(MagpieClient client) {
        return uids.get(client);
    }

    private final Map<MagpieClient, Long> uids = new HashMap<>();

    private MagpieClient connect(String name, String device, List<Message> received) throws Exception {
        ClientConfig config = ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .transport(Transport.TCP)
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        new AccountClient(config).register(name, PASSWORD, name);
        Credentials credentials = new AccountClient(config).login(name, PASSWORD, device, Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        uids.put(client, credentials.uid());
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                received.add(message);
            }
        });
        client.connect(credentials).get(20, SECONDS);
        return client;
    }

    private HttpResponse<String> scrape() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.healthPort() + "/metrics"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sample lines of the text format: {@code name{labels} value}, keyed by everything before the value. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static double value(Map<String, Double> samples, String key) {
        Double v = samples.get(key);
        assertTrue(v != null, key + " is exposed");
        return v;
    }
}
