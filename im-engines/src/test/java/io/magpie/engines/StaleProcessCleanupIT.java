package io.magpie.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.internal.PidFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM killed with -9 leaves mariadbd and redis-server running; the next start on the same data
 * directory must kill them and come up normally.
 */
class StaleProcessCleanupIT {

    @Test
    void serversOfAKilledJvmAreKilledByTheNextStart() throws Exception {
        Path dataDir = InfrastructureConfig.fromEnvironment(System.getenv()).dataDir();
        Process child = startHoldingChild(dataDir);
        Map<String, Long> pids;
        try {
            pids = awaitHolding(child);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            child.waitFor(30, TimeUnit.SECONDS);
        }
        long mariadbd = pids.get("mariadbd");
        long redis = pids.get("redis-server");
        assertTrue(alive(mariadbd), "mariadbd should outlive its killed JVM");
        assertTrue(alive(redis), "redis-server should outlive its killed JVM");

        try (Infrastructure again = Infrastructure.start(
                InfrastructureConfig.defaults().withDataDir(dataDir))) {
            assertFalse(alive(mariadbd), "stale mariadbd " + mariadbd + " still running");
            assertFalse(alive(redis), "stale redis-server " + redis + " still running");
            try (Connection c = DriverManager.getConnection(again.jdbcUrl("t_stale_cleanup"),
                    again.mysqlUser(), again.mysqlPassword());
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    private static Process startHoldingChild(Path dataDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), InfrastructureMain.class.getName(), "hold")
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("MAGPIE_"));
        env.put(InfrastructureConfig.ENV_INFRA_DIR, dataDir.toString());
        return builder.start();
    }

    /** Reads the child's output until it holds; returns executable name -> pid of its children. */
    private static Map<String, Long> awaitHolding(Process child) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
            lines.add("EOF");
        }, "stale-child-output");
        reader.setDaemon(true);
        reader.start();
        Map<String, Long> pids = new HashMap<>();
        StringBuilder output = new StringBuilder();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            output.append(line).append('\n');
            if (line.startsWith("CHILD ")) {
                String[] parts = line.split(" ");
                pids.put(parts[1], Long.parseLong(parts[2]));
            } else if (line.startsWith("HOLDING")) {
                assertNotNull(pids.get("mariadbd"), output.toString());
                assertNotNull(pids.get("redis-server"), output.toString());
                return pids;
            } else if (line.equals("EOF")) {
                break;
            }
        }
        throw new AssertionError("child JVM did not start its servers:\n" + output);
    }

    /** Running and not a zombie waiting for PID 1 to reap it. */
    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(PidFile::running).orElse(false);
    }
}
