package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.magpie.engines.internal.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code magpie standalone} stopped the way a terminal or an init system stops it: the signal goes to
 * the whole process group (what Ctrl-C does), and the roles must stop before the embedded MariaDB,
 * redis-server and Kafka they use. A clean stop logs no WARN or ERROR, takes the gate out of the
 * registry, releases the worker-id lease, leaves no child server running and exits 0.
 */
class StandaloneShutdownIT {

    private static final Path TARGET = Path.of("target");
    /** Shared by the runs, so the MariaDB/Redis binaries are unpacked once. */
    private static final Path DATA = TARGET.resolve("standalone-shutdown-it");

    @ParameterizedTest(name = "SIG{0} to the process group")
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalToTheProcessGroupStopsTheRolesFirstThenTheServersAndExitsZero(String signal) throws Exception {
        Path jar = TARGET.resolve("magpie.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "target/magpie.jar is built by package");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) && Files.isExecutable(Path.of("/usr/bin/perl")),
                "needs setsid and perl to stand in for a terminal");
        Path log = TARGET.resolve("standalone-shutdown-it-" + signal + ".log");
        List<String> command = new ArrayList<>(List.of(
                // a process group of its own, as a terminal's foreground job has, with SIGINT not ignored
                // (a test JVM launched in the background inherits an ignored SIGINT)
                "/usr/bin/setsid", "/usr/bin/perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", jar.toString(), "standalone", "--data-dir", DATA.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("MAGPIE_"));
        int[] ports = FreePorts.forLaterBind(5);
        env.put("MAGPIE_GATE_TCP_PORT", Integer.toString(ports[0]));
        env.put("MAGPIE_GATE_WS_PORT", Integer.toString(ports[1]));
        env.put("MAGPIE_GATE_INTERNAL_PORT", Integer.toString(ports[2]));
        env.put("MAGPIE_LSB_PORT", Integer.toString(ports[3]));
        env.put("MAGPIE_LOGIC_HTTP_PORT", Integer.toString(ports[4]));
        env.put("MAGPIE_HEALTH_PORT", "0");
        Process process = builder.start();
        try {
            ProcessOutput.awaitLine(process, "standalone", log, "Magpie standalone is ready", 120);
            List<ProcessHandle> children = process.descendants().collect(Collectors.toList());
            assertTrue(children.stream().anyMatch(c -> command(c).contains("mariadbd")), "mariadbd runs: " + children);
            assertTrue(children.stream().anyMatch(c -> command(c).contains("redis-server")), "redis-server runs");

            kill(signal, "-" + process.pid()); // the whole group, like Ctrl-C in a terminal

            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "standalone did not stop within 60 s:\n" + ProcessOutput.tail(log));
            String out = Files.readString(log, StandardCharsets.UTF_8);
            String afterSignal = out.substring(out.indexOf("Stop it: Ctrl-C"));
            assertEquals(0, process.exitValue(), "exit status after SIG" + signal + ":\n" + afterSignal);
            List<String> problems = afterSignal.lines()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("\tat "))
                    .collect(Collectors.toList());
            assertEquals(List.of(), problems, "a clean stop logs no warnings:\n" + afterSignal);
            assertTrue(afterSignal.contains("stopping (SIG" + signal + " received)"), afterSignal);
            assertTrue(afterSignal.contains("] closed"), "the gate closed, leaving the registry:\n" + afterSignal);
            assertTrue(afterSignal.contains("lease released"), "the worker-id lease is released:\n" + afterSignal);
            int rolesStopped = afterSignal.indexOf("[logic] stopped");
            int serversStopped = afterSignal.indexOf("i.m.e.Infrastructure - stopped");
            assertTrue(rolesStopped >= 0 && serversStopped > rolesStopped,
                    "roles stop before the servers:\n" + afterSignal);
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
                assertFalse(child.isAlive(), child.pid() + " " + command(child) + " still runs");
            }
        } finally {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }


    private static void kill(String signal, String target) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, "--", target).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + target);
    }

    private static String command(ProcessHandle p) {
        return p.info().commandLine().orElse(p.info().command().orElse("?"));
    }

}
