package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.engines.internal.FreePorts;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every role's graceful stop, in the order docs/operations.md §5 documents, read from the role's own JSON log
 * ({@code MAGPIE_LOG_FORMAT=json}, docs/operations.md §6). {@code magpie cluster} runs each role as a process of
 * its own against the suite's MariaDB, Redis and Kafka; one user logs in (the gate's login line carries
 * {@code uid} and {@code device} as JSON fields) and leaves; then each role is stopped alone with SIGTERM
 * ({@code magpie cluster stop NAME}) and must: exit 0, log its stop steps in the documented order, log no WARN
 * or ERROR from the signal on, and leave the gate registry (gate) or release its worker-id lease (logic). Every
 * line of every role's log must be one JSON object with the documented fields.
 */
@ExtendWith(InfrastructureExtension.class)
class RoleStopOrderIT {

    private static final Path TARGET = Path.of("target");
    private static final Path DATA = TARGET.resolve("role-stop-order-it").toAbsolutePath();
    private static final String SIGTERM = "stopping (SIGTERM received)";
    /** Each role's stop, as operations.md §5 lists it: message fragments that must follow each other in the log. */
    private static final Map<String, List<String>> STOP_STEPS = Map.of(
            "gate-1", List.of(SIGTERM, "[gate] stopping", "[gate=gate-1] draining:", "[gate=gate-1] drained in",
                    "stop: registry publishing and route refresh stopped", "stop: listeners closed",
                    "stop: removed from the gate registry", "stop: routes of 0 session(s) unregistered",
                    "stop: client connections and router connections closed", "[gate=gate-1] closed",
                    "[gate] stopped"),
            "notifier-1", List.of(SIGTERM, "[notifier] stopping", "[notifier] stop: offline consumer closed",
                    "[notifier] stopped"),
            "router-1", List.of(SIGTERM, "[router] stopping", "[router] stop: push consumer closed",
                    "[router] stop: offline producer flushed and closed", "[router] stop: gate connections closed",
                    "[router] stopped"),
            "logic-1", List.of(SIGTERM, "[logic] stopping", "[logic] stop: upstream consumer closed",
                    "[logic] account API stopped", "[logic] stop: push producer flushed and closed",
                    ": lease released", "[logic] stopped"),
            "lsb-1", List.of(SIGTERM, "[lsb] stopping", "[lsb] stop: HTTP listener closed", "[lsb] stopped"));
    private static final List<String> STOP_ORDER = List.of("gate-1", "notifier-1", "router-1", "logic-1", "lsb-1");

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void eachRoleStopsOnSigtermInItsDocumentedOrderExitsZeroAndLogsJson(Infrastructure infra,
            TestIsolation isolation) throws Exception {
        Path jar = TARGET.resolve("magpie.jar").toAbsolutePath();
        Assumptions.assumeTrue(Files.isRegularFile(jar), "target/magpie.jar is built by package");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs setsid");
        Path out = TARGET.resolve("role-stop-order-it.log");
        int[] ports = FreePorts.forLaterBind(2);
        int lsbPort = ports[0];
        int apiPort = ports[1];
        ProcessBuilder builder = MagpieJar.cluster(jar, DATA, out, infra, isolation, lsbPort, apiPort, 1, 1, 1);
        Map<String, String> env = builder.environment();
        env.put("MAGPIE_LOG_FORMAT", "json"); // the supervisor passes it on to every role
        Process cluster = builder.start();
        List<MagpieClient> clients = new ArrayList<>();
        try {
            ProcessOutput.awaitLine(cluster, "magpie cluster", out, "Magpie cluster is ready", 120);

            String name = "stop-" + UUID.randomUUID().toString().substring(0, 8);
            String device = name + "-phone";
            ClientConfig config = ClientConfig.builder().accountApiUrl("http://127.0.0.1:" + apiPort)
                    .lsbUrl("http://127.0.0.1:" + lsbPort).platform(Platform.ANDROID).deviceId(device)
                    .requestTimeout(Duration.ofSeconds(20)).build();
            AccountClient accounts = new AccountClient(config);
            accounts.register(name, "stop-order-password", name);
            Credentials credentials = accounts.login(name, "stop-order-password", device, Platform.ANDROID);
            ListeningUser user = ListeningUser.connect(new MagpieClient(config), credentials, clients, 30);
            clients.forEach(MagpieClient::close);
            // gone before the gate drains, so the drain has no client to move and ends after its LSB grace
            Path gateLog = log("gate-1");
            await().atMost(20, SECONDS).until(() -> messages(gateLog).stream()
                    .anyMatch(m -> m.contains("session ended")));
            JsonNode login = lines(gateLog).stream()
                    .filter(l -> l.path("message").asText().contains("logged in over")).findFirst().orElseThrow(() -> new AssertionError("no login line in " + gateLog));
            assertTrue(login.path("uid").isNumber(), "uid is a JSON number: " + login);
            assertEquals(user.uid(), login.path("uid").asLong(), login.toString());
            assertEquals(device, login.path("device").asText(), login.toString());
            assertEquals("gate-1", login.path("gate").asText(), login.toString());
            assertTrue(login.path("conn").isNumber(), login.toString());

            for (String member : STOP_ORDER) {
                if (member.equals("lsb-1")) {
                    // the gate removed itself from the registry: the LSB, still running, lists no gate
                    await().atMost(20, SECONDS).until(() -> listedGates(lsbPort).isEmpty());
                }
                // "stopped <name> EXITED ... exit <status>" once the process has exited
                String stopped = MagpieJar.run(jar, "cluster", "stop", member, "--data-dir", DATA.toString());
                assertTrue(stopped.lines().anyMatch(l -> l.startsWith("stopped " + member + " ")
                        && l.contains("EXITED") && l.endsWith("exit 0")), member + " exited with status 0:\n" + stopped);
                assertStopped(member);
            }

            new ProcessBuilder("kill", "-TERM", Long.toString(cluster.pid())).inheritIO().start().waitFor(10, SECONDS);
            assertTrue(cluster.waitFor(30, SECONDS), "magpie cluster did not stop:\n" + ProcessOutput.tail(out));
            assertEquals(0, cluster.exitValue(), "supervisor exit status:\n" + ProcessOutput.tail(out));
        } finally {
            clients.forEach(MagpieClient::close);
            if (cluster.isAlive()) {
                cluster.descendants().forEach(ProcessHandle::destroyForcibly);
                cluster.destroyForcibly();
            }
        }
    }

    /** The stop steps of {@code member} follow each other in its log, and nothing from SIGTERM on is WARN or ERROR. */
    private void assertStopped(String member) throws IOException {
        List<JsonNode> lines = lines(log(member));
        int at = -1;
        for (String step : STOP_STEPS.get(member)) {
            int found = -1;
            for (int i = at + 1; i < lines.size(); i++) {
                if (lines.get(i).path("message").asText().contains(step)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                fail(member + ": no '" + step + "' after line " + at + " (steps " + STOP_STEPS.get(member) + "):\n"
                        + tail(lines));
            }
            at = found;
        }
        int signal = indexOf(lines, SIGTERM);
        for (JsonNode line : lines.subList(signal, lines.size())) {
            String level = line.path("level").asText();
            assertFalse(level.equals("WARN") || level.equals("ERROR"), member + " logged " + level
                    + " while stopping: " + line);
        }
    }

    /**
     * Every line of a role's log but the supervisor's {@code ###} start banner, each parsed as one JSON object
     * that has the documented fields.
     */
    private List<JsonNode> lines(Path log) throws IOException {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("### ")) {
                continue;
            }
            JsonNode node;
            try {
                node = mapper.readTree(line);
            } catch (JsonProcessingException e) {
                throw new AssertionError(log.getFileName() + ": not a JSON line: " + line, e);
            }
            assertTrue(node != null && node.isObject(), log.getFileName() + ": not a JSON object: " + line);
            for (String field : List.of("timestamp", "level", "logger", "thread", "message")) {
                assertTrue(node.hasNonNull(field), log.getFileName() + ": no '" + field + "' in " + line);
            }
            OffsetDateTime.parse(node.get("timestamp").asText()); // ISO-8601 with date and offset
            parsed.add(node);
        }
        return parsed;
    }

    private List<String> messages(Path log) throws IOException {
        return lines(log).stream().map(l -> l.path("message").asText()).toList();
    }

    private static int indexOf(List<JsonNode> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).path("message").asText().contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no '" + fragment + "' in the log:\n" + tail(lines));
    }

    private static String tail(List<JsonNode> lines) {
        StringBuilder b = new StringBuilder();
        for (JsonNode line : lines.subList(Math.max(0, lines.size() - 40), lines.size())) {
            b.append(line.path("level").asText()).append(' ').append(line.path("message").asText()).append('\n');
        }
        return b.toString();
    }

    private static Path log(String member) {
        return DATA.resolve("cluster").resolve("logs").resolve(member + ".log");
    }

    private List<String> listedGates(int lsbPort) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsbPort
                + "/v1/gates")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return mapper.readTree(response.body()).findValuesAsText("gateId");
    }
}
