package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.engines.internal.FreePorts;
import io.magpie.protocol.proto.ConversationType;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code java -jar magpie.jar cluster} as a newcomer runs it, against the test suite's MariaDB, Redis and
 * Kafka (named through MAGPIE_MYSQL_URL / MAGPIE_REDIS_URL / MAGPIE_KAFKA_BOOTSTRAP, as an operator names
 * theirs): every role is a process of its own, two users chat through the LSB, a gate is added and
 * handed out, another is stopped, and SIGTERM to the supervisor stops every process it started and exits 0.
 */
@ExtendWith(InfrastructureExtension.class)
class ClusterCommandIT {

    private static final Path TARGET = Path.of("target");
    private static final Path DATA = TARGET.resolve("cluster-command-it").toAbsolutePath();
    private static final String PASSWORD = "cluster-it-password";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyRoleRunsAsItsOwnProcessChatsScalesAndStopsWithTheSupervisor(Infrastructure infra,
            TestIsolation isolation) throws Exception {
        Path jar = TARGET.resolve("magpie.jar").toAbsolutePath();
        Assumptions.assumeTrue(Files.isRegularFile(jar), "target/magpie.jar is built by package");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs setsid");
        Path out = TARGET.resolve("cluster-command-it.log");
        int[] ports = FreePorts.forLaterBind(2);
        int lsbPort = ports[0];
        int apiPort = ports[1];
        ProcessBuilder builder = MagpieJar.cluster(jar, DATA, out, infra, isolation, lsbPort, apiPort, 2, 2, 1);
        Process cluster = builder.start();
        List<MagpieClient> clients = new ArrayList<>();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            ProcessOutput.awaitLine(cluster, "magpie cluster", out, "Magpie cluster is ready", 150);
            children.addAll(cluster.children().toList());
            Set<String> roles = children.stream().map(MagpieJar::member).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(List.of("gate-1", "gate-2", "logic-1", "logic-2", "lsb-1", "notifier-1",
                    "router-1")), roles, "one process per role instance:\n" + ProcessOutput.tail(out));
            String banner = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(banner.contains("http://127.0.0.1:" + apiPort) && banner.contains("http://127.0.0.1:" + lsbPort),
                    "the banner names the account API and the LSB:\n" + banner);

            ClientConfig base = ClientConfig.builder().accountApiUrl("http://127.0.0.1:" + apiPort)
                    .lsbUrl("http://127.0.0.1:" + lsbPort).platform(Platform.ANDROID)
                    .requestTimeout(Duration.ofSeconds(20)).build();
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            ListeningUser alice = user(base, "alice-" + suffix, clients);
            ListeningUser bob = user(base, "bob-" + suffix, clients);
            alice.client().sendText(ConversationType.SINGLE, bob.uid(), "hello bob").get(30, SECONDS);
            await().atMost(30, SECONDS).until(() -> bob.texts().contains("hello bob"));
            bob.client().sendText(ConversationType.SINGLE, alice.uid(), "hello alice").get(30, SECONDS);
            await().atMost(30, SECONDS).until(() -> alice.texts().contains("hello alice"));

            String added = MagpieJar.run(jar, "cluster", "add", "gate", "--data-dir", DATA.toString());
            assertTrue(added.contains("gate-3"), added);
            String status = MagpieJar.run(jar, "cluster", "status", "--data-dir", DATA.toString());
            assertTrue(status.lines().anyMatch(l -> l.startsWith("gate-3") && l.contains("READY")), status);
            assertEquals(Set.of("gate-1", "gate-2", "gate-3"), listedGates(lsbPort));
            children.addAll(cluster.children().filter(c -> MagpieJar.member(c).equals("gate-3")).toList());

            ProcessHandle gate1 = children.stream().filter(c -> MagpieJar.member(c).equals("gate-1")).findFirst()
                    .orElseThrow();
            MagpieJar.run(jar, "cluster", "stop", "gate-1", "--data-dir", DATA.toString());
            assertFalse(gate1.isAlive(), "gate-1 is gone after cluster stop");
            status = MagpieJar.run(jar, "cluster", "status", "--data-dir", DATA.toString());
            assertTrue(status.lines().anyMatch(l -> l.startsWith("gate-1") && l.contains("EXITED")), status);
            await().atMost(30, SECONDS).until(() -> listedGates(lsbPort).equals(Set.of("gate-2", "gate-3")));

            clients.forEach(MagpieClient::close);
            new ProcessBuilder("kill", "-TERM", Long.toString(cluster.pid())).inheritIO().start().waitFor(10, SECONDS);
            assertTrue(cluster.waitFor(90, SECONDS), "magpie cluster did not stop within 90 s:\n" + ProcessOutput.tail(out));
            assertEquals(0, cluster.exitValue(), "exit status after SIGTERM:\n" + ProcessOutput.tail(out));
            for (ProcessHandle child : children) {
                child.onExit().get(10, SECONDS);
                assertFalse(child.isAlive(), MagpieJar.member(child) + " (pid " + child.pid() + ") outlived the"
                        + " cluster");
            }
            assertFalse(Files.exists(DATA.resolve("cluster/control.json")), "control.json is removed on stop");
        } finally {
            clients.forEach(MagpieClient::close);
            if (cluster.isAlive()) {
                cluster.descendants().forEach(ProcessHandle::destroyForcibly);
                cluster.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static ListeningUser user(ClientConfig base, String name, List<MagpieClient> clients) throws Exception {
        ClientConfig config = base.toBuilder().deviceId(name + "-phone").build();
        AccountClient accounts = new AccountClient(config);
        accounts.register(name, PASSWORD, name);
        Credentials credentials = accounts.login(name, PASSWORD, config.deviceId(), Platform.ANDROID);
        return ListeningUser.connect(new MagpieClient(config), credentials, clients, 30);
    }

    private Set<String> listedGates(int lsbPort) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lsbPort
                + "/v1/gates")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Set.copyOf(new ObjectMapper().readTree(response.body()).findValuesAsText("gateId"));
    }

}
