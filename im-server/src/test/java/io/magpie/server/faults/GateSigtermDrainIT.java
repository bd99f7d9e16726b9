package io.magpie.server.faults;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.proto.Platform;
import io.magpie.server.MagpieNode;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import io.magpie.testkit.InfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM drains a {@code magpie gate} process (docs/operations.md §5): a real gate process beside an
 * in-process cluster (logic, router, LSB, gate A); SIGTERM to it sends its clients RECONNECT, they move to
 * gate A, and the process logs the drain and exits.
 */
@ExtendWith(InfrastructureExtension.class)
class GateSigtermDrainIT {

    private static final String TOKEN_SECRET = "gate-sigterm-it-token-secret-of-32-bytes-or-more";
    private static final String CLUSTER_SECRET = "gate-sigterm-it-cluster-secret-of-32-bytes-or-more";
    private static final int USERS = 8;

    private final List<MagpieClient> clients = new ArrayList<>();
    private MagpieNode cluster;
    private RoleProcess gateProcess;

    @AfterEach
    void stop() {
        clients.forEach(MagpieClient::close);
        if (gateProcess != null && gateProcess.alive()) {
            gateProcess.kill();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sigtermMovesTheGatesClientsToTheOtherGateBeforeTheProcessExits(Infrastructure infra, TestIsolation isolation)
            throws Exception {
        String common = """
                redis:
                  uri: "%s"
                  key-prefix: "%s"
                kafka:
                  bootstrap: "%s"
                  topic-prefix: "%s"
                  partitions: 2
                auth:
                  token-secret: "%s"
                cluster:
                  secret: "%s"
                health:
                  bind: 127.0.0.1
                """.formatted(infra.redisUri(), isolation.redisKeyPrefix(), infra.kafkaBootstrap(),
                isolation.topicPrefix(), TOKEN_SECRET, CLUSTER_SECRET);
        ConfigTree tree = ConfigTree.of(common + """
                mysql:
                  url: "%s"
                  user: "%s"
                  password: "%s"
                gate:
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                  registry-refresh: 1s
                lsb:
                  port: 0
                  poll-interval: 200ms
                logic:
                  http-port: 0
                  pbkdf2-iterations: 1000
                """.formatted(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()), Map.of());
        cluster = MagpieNode.start(new Settings(tree), EnumSet.allOf(MagpieNode.Role.class), Clock.systemUTC());

        Path dir = Files.createDirectories(Path.of(System.getProperty("basedir", "")).toAbsolutePath()
                .resolve("target").resolve("sigterm-drain").resolve(isolation.topicPrefix().replace(".", "")));
        Path config = dir.resolve("gate.yaml");
        Files.writeString(config, common + """
                gate:
                  id: gate-sigterm
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                  registry-refresh: 1s
                  drain:
                    reconnects-per-second: 10
                    deadline: 20s
                """);
        Path jar = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target").resolve("magpie.jar");
        gateProcess = RoleProcess.launch("gate-sigterm", ClusterHarness.Role.GATE, jar, config, dir.resolve("gate.log"),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        gateProcess.awaitReady(Duration.ofSeconds(60));
        await().atMost(10, SECONDS).until(() -> lsbLists("gate-sigterm"));

        for (int i = 0; i < USERS; i++) {
            clients.add(user("sigterm_user_" + i, "phone-" + i));
        }
        int onOther = USERS - cluster.gate().sessionCount();
        assertTrue(onOther > 0, "some clients are on the gate process");

        gateProcess.stop(Duration.ofSeconds(40)); // SIGTERM; SIGKILL only if it hangs past the drain
        String log = gateProcess.logText();
        assertTrue(log.contains("drained in") && log.contains(onOther + " RECONNECT(s) sent, no connection left"),
                "the process drained before it stopped:\n" + gateProcess.tail(30));
        assertFalse(log.contains("drain deadline"), "nobody had to be closed at the deadline");

        await().atMost(10, SECONDS).until(() -> cluster.gate().sessionCount() == USERS);
        for (MagpieClient client : clients) {
            assertEquals(ConnectionState.CONNECTED, client.state());
        }
    }

    private boolean lsbLists(String gateId) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + cluster.lsbPort() + "/v1/gates")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return body.contains(gateId);
    }

    private MagpieClient user(String name, String device) throws Exception {
        ClientConfig config = ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + cluster.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + cluster.lsbPort())
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        AccountClient accounts = new AccountClient(config);
        accounts.register(name, "correct horse battery", name);
        Credentials credentials = accounts.login(name, "correct horse battery", device, Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        client.connect(credentials).get(20, SECONDS);
        return client;
    }
}
