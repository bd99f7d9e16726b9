package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code magpie engines} then a role started by hand: the engines command prints (and writes to
 * {@code engines.env}) the variables of servers that answer, and a gate from {@code magpie-roles.jar} given only those
 * variables and its own listeners starts on them. The engines here are the suite's servers, named as an operator
 * names theirs (the same {@code startEngines} as standalone's, which StandaloneShutdownIT runs embedded), so the test
 * starts no second MariaDB or Kafka.
 */
@ExtendWith(InfrastructureExtension.class)
class EnginesCommandIT {

    private Process engines;
    private Process gate;

    @AfterEach
    void stopProcesses() throws Exception {
        for (Process p : new Process[] {gate, engines}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(30, SECONDS);
            }
        }
    }

    @Test
    void printsTheServersAndSecretsARoleStartedByHandRunsOn(Infrastructure infra, TestIsolation isolation)
            throws Exception {
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target")
                .resolve("engines-command").resolve(isolation.topicPrefix().replace(".", ""));
        MagpieJar.deleteTree(dir);
        Files.createDirectories(dir);
        Path out = dir.resolve("engines.out");
        Path jar = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target").resolve("magpie.jar");
        ProcessBuilder builder = new ProcessBuilder(MagpieJar.java(), "-Xmx256m", "-jar", jar.toString(), "engines",
                "--data-dir", dir.resolve("data").toString()).redirectErrorStream(true).redirectOutput(out.toFile());
        MagpieJar.clusterEnvironment(builder.environment(), infra, isolation);
        engines = builder.start();
        ProcessOutput.awaitLine(engines, "magpie engines", out, "Stop them: Ctrl-C", 120);

        Path envFile = dir.resolve("data").resolve(EnginesCommand.ENV_FILE);
        Map<String, String> vars = parse(Files.readAllLines(envFile, StandardCharsets.UTF_8));
        assertEquals(List.of("MAGPIE_MYSQL_URL", "MAGPIE_MYSQL_USER", "MAGPIE_MYSQL_PASSWORD", "MAGPIE_REDIS_URI",
                "MAGPIE_KAFKA_BOOTSTRAP", "MAGPIE_KAFKA_PARTITIONS", "MAGPIE_AUTH_TOKEN_SECRET", "MAGPIE_CLUSTER_SECRET"),
                List.copyOf(vars.keySet()));
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        for (String line : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
            assertTrue(line.startsWith("#") || printed.contains(line), "printed: " + line + "\n" + printed);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(envFile)));
        assertEquals(Files.readString(dir.resolve("data").resolve("token-secret")).trim(),
                vars.get("MAGPIE_AUTH_TOKEN_SECRET"), "standalone's token secret, kept in the data dir");

        // each printed server answers
        try (Connection c = DriverManager.getConnection(vars.get("MAGPIE_MYSQL_URL"), vars.get("MAGPIE_MYSQL_USER"),
                vars.get("MAGPIE_MYSQL_PASSWORD")); ResultSet rs = c.createStatement().executeQuery("SELECT DATABASE()")) {
            assertTrue(rs.next());
            assertEquals(StandaloneCommand.DATABASE, rs.getString(1));
        }
        RedisClient redis = RedisClient.create(vars.get("MAGPIE_REDIS_URI"));
        try (StatefulRedisConnection<String, String> c = redis.connect()) {
            assertEquals("PONG", c.sync().ping());
        } finally {
            redis.shutdown();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                vars.get("MAGPIE_KAFKA_BOOTSTRAP")))) {
            assertTrue(!admin.describeCluster().nodes().get(30, SECONDS).isEmpty());
        }

        // a gate from the roles' jar: its listeners and prefixes in its file, servers and secrets from the variables
        Path config = dir.resolve("gate.yaml");
        Files.writeString(config, """
                redis:
                  key-prefix: "%s"
                kafka:
                  topic-prefix: "%s"
                gate:
                  id: gate-by-hand
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                health:
                  bind: 127.0.0.1
                """.formatted(isolation.redisKeyPrefix(), isolation.topicPrefix()));
        Path gateOut = dir.resolve("gate.out");
        ProcessBuilder gateBuilder = new ProcessBuilder(MagpieJar.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-jar", RolesJarIT.rolesJar().toString(), "gate", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(gateOut.toFile());
        gateBuilder.environment().keySet().removeIf(k -> k.startsWith("MAGPIE_"));
        gateBuilder.environment().putAll(vars);
        gate = gateBuilder.start();
        ProcessOutput.awaitLine(gate, "the gate from magpie-roles.jar", gateOut, "[gate] ready in ", 120);
        gate.destroy(); // SIGTERM: drains (no clients) and exits
        assertTrue(gate.waitFor(60, SECONDS), "gate did not stop:\n" + ProcessOutput.tail(gateOut));

        engines.destroy(); // SIGTERM, as Ctrl-C's SIGINT: one ordered stop
        assertTrue(engines.waitFor(60, SECONDS), "engines did not stop:\n" + ProcessOutput.tail(out));
        assertEquals(0, engines.exitValue(), ProcessOutput.tail(out));
    }

    /** {@code export NAME='value'} lines back into a map (values hold no ' here). */
    private static Map<String, String> parse(List<String> lines) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith("export ")) {
                int eq = line.indexOf('=');
                vars.put(line.substring("export ".length(), eq), line.substring(eq + 2, line.length() - 1));
            }
        }
        return vars;
    }
}
