package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code target/magpie.jar} as the cluster tests run it: the JVM, the environment, one-shot commands. */
final class MagpieJar {

    private MagpieJar() {
    }

    /** The java binary of the JVM running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Points a {@code magpie cluster} at the suite's MariaDB, Redis and Kafka, as an operator names theirs
     * (MAGPIE_MYSQL_URL / MAGPIE_REDIS_URL / MAGPIE_KAFKA_BOOTSTRAP), with this test's key and topic prefixes,
     * after dropping every MAGPIE_* variable of the test's own environment.
     */
    static void clusterEnvironment(Map<String, String> env, Infrastructure infra, TestIsolation isolation) {
        env.keySet().removeIf(k -> k.startsWith("MAGPIE_"));
        URI mysql = URI.create(isolation.jdbcUrl().substring("jdbc:".length()));
        env.put("MAGPIE_MYSQL_URL", "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getPort() + "/");
        env.put("MAGPIE_MYSQL_USER", infra.mysqlUser());
        env.put("MAGPIE_MYSQL_PASSWORD", infra.mysqlPassword());
        env.put("MAGPIE_REDIS_URL", infra.redisUri());
        env.put("MAGPIE_KAFKA_BOOTSTRAP", infra.kafkaBootstrap());
        env.put("MAGPIE_REDIS_KEY_PREFIX", isolation.redisKeyPrefix());
        env.put("MAGPIE_KAFKA_TOPIC_PREFIX", isolation.topicPrefix());
        env.put("MAGPIE_CLUSTER_JAVA_OPTS", "-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"
                + " -XX:-UsePerfData");
    }

    /**
     * A {@code magpie cluster} of the jar in a session of its own (as a terminal job), on the suite's servers
     * ({@link #clusterEnvironment}), its LSB and account API on the given ports, its output to {@code out}; the
     * data dir's configs and logs of an earlier run deleted first. Not started: add variables, then start it.
     */
    static ProcessBuilder cluster(Path jar, Path dataDir, Path out, Infrastructure infra, TestIsolation isolation,
            int lsbPort, int apiPort, int gates, int logic, int routers) throws IOException {
        deleteTree(dataDir.resolve("cluster")); // configs and logs of an earlier run; the secrets may stay
        Files.createDirectories(dataDir);
        ProcessBuilder builder = new ProcessBuilder(List.of("/usr/bin/setsid", java(), "-Xmx256m", "-jar",
                jar.toString(), "cluster", "--gates", Integer.toString(gates), "--logic", Integer.toString(logic),
                "--routers", Integer.toString(routers), "--data-dir", dataDir.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile());
        Map<String, String> env = builder.environment();
        clusterEnvironment(env, infra, isolation);
        env.put("MAGPIE_LSB_PORT", Integer.toString(lsbPort));
        env.put("MAGPIE_LOGIC_HTTP_PORT", Integer.toString(apiPort));
        return builder;
    }

    /** Runs {@code magpie <args>} from the jar; returns its output, failing on a non-zero exit. */
    static String run(Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes(); // ends when the process exits
        assertTrue(p.waitFor(180, SECONDS), String.join(" ", args) + " did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "magpie " + String.join(" ", args) + ":\n" + text);
        return text;
    }

    /** The process name {@code magpie cluster} gave a child (from its {@code -Dmagpie.cluster.member=}). */
    static String member(ProcessHandle p) {
        String line = p.info().commandLine().orElse("");
        int at = line.indexOf("-Dmagpie.cluster.member=");
        return at < 0 ? "?" + line : line.substring(at + "-Dmagpie.cluster.member=".length()).split(" ")[0];
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
