package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web clients against {@code java -jar magpie.jar standalone} on the suite's MariaDB, Redis and Kafka: the
 * TypeScript SDK's end-to-end tests and the web chat page in headless Chromium beside the Java terminal client
 * ({@code im-web/e2e}), each run by Node, which starts and restarts the standalone itself. Without Node or
 * without Debian's Chromium the test is skipped, saying so loudly: it never passes without having run.
 */
@ExtendWith(InfrastructureExtension.class)
class WebClientsIT {

    private static final Path WEB = Path.of("..", "im-web").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("target", "magpie.jar").toAbsolutePath();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /**
     * Both Node suites at once, each with its own standalone (they take turns on the CPU well: most of their time is
     * spent waiting for the other side), so the suite pays for the longer one only.
     */
    @Test
    void theTypeScriptSdkAndTheWebChatInARealBrowserChatThroughARealServer(Infrastructure infra,
            TestIsolation isolation) throws Exception {
        requireNode();
        boolean browser = Files.isExecutable(CHROMIUM);
        NodeRun sdk = NodeRun.start(infra, isolation, "sdk-e2e", "run", "e2e", "-w", "sdk");
        NodeRun page = browser ? NodeRun.start(infra, isolation, "browser", "run", "test:browser") : null;
        sdk.assertPassed();
        if (page != null) {
            page.assertPassed();
            return;
        }
        String banner = """

                ##########################################################################
                # BROWSER TESTS SKIPPED: no Chromium at /usr/bin/chromium.
                # Install Debian's package to run them: apt-get install chromium
                ##########################################################################
                """;
        System.out.println(banner);
        Assumptions.abort(banner.strip());
    }

    private static void requireNode() {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "target/magpie.jar is built by package");
        boolean built = Files.isDirectory(WEB.resolve("node_modules"));
        if (!built) {
            System.out.println("\n#### WEB CLIENT TESTS SKIPPED: im-web was not built (node/npm missing?);"
                    + " install Node.js 20+ and npm ####\n");
        }
        Assumptions.assumeTrue(built, "im-web/node_modules exists once im-web's build ran npm ci");
    }

    /** {@code npm <args>} running in im-web, the standalone it starts pointed at the suite's servers. */
    private record NodeRun(String what, Process process, Path log) {

        static NodeRun start(Infrastructure infra, TestIsolation isolation, String name, String... args)
                throws IOException {
            Path log = Path.of("target", "web-clients-" + name + ".log").toAbsolutePath();
            List<String> command = new ArrayList<>(List.of("npm"));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(WEB.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            MagpieJar.clusterEnvironment(env, infra, isolation);
            env.remove("MAGPIE_CLUSTER_JAVA_OPTS");
            env.put("MAGPIE_JAR", JAR.toString());
            env.put("MAGPIE_JAVA", MagpieJar.java());
            env.put("MAGPIE_STANDALONE_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
            // each run's standalone its own deployment on the suite's servers: key and topic prefixes, and a database
            // (created on first use) of its own — the browser test signs up fixed user names (alice, bob, carol)
            String tag = name.replaceAll("[^a-z0-9]", "");
            env.put("MAGPIE_REDIS_KEY_PREFIX", isolation.redisKeyPrefix() + tag + ":");
            env.put("MAGPIE_KAFKA_TOPIC_PREFIX", isolation.topicPrefix() + tag + ".");
            String url = isolation.jdbcUrl();
            int query = url.indexOf('?');
            String database = (query < 0 ? url : url.substring(0, query)) + "_" + tag + "?createDatabaseIfNotExist=true"
                    + (query < 0 ? "" : "&" + url.substring(query + 1));
            Path config = Path.of("target", "web-clients-" + name + ".yaml").toAbsolutePath();
            Files.writeString(config, "mysql:\n  url: \"" + database + "\"\n  user: \"" + infra.mysqlUser()
                    + "\"\n  password: \"" + infra.mysqlPassword() + "\"\n", StandardCharsets.UTF_8);
            env.put("MAGPIE_STANDALONE_CONFIG", config.toString());
            return new NodeRun("npm " + String.join(" ", args), builder.start(), log);
        }

        /** Waits for the run (8 minutes at most), prints its output and fails unless it exited 0. */
        void assertPassed() throws IOException, InterruptedException {
            boolean finished = process.waitFor(8, TimeUnit.MINUTES);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println("---- " + what + " (" + log + ")\n" + output);
            assertTrue(finished, what + " did not finish within 8 minutes");
            assertEquals(0, process.exitValue(), what + " failed; its output is above and in " + log);
        }
    }
}
