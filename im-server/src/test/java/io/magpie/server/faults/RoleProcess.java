package io.magpie.server.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One role of the cluster running as its own JVM ({@code java -jar magpie.jar <role> --config FILE}),
 * its output in a log file. {@link #kill()} is a crash (SIGKILL: nothing in the process runs, no
 * shutdown hook, no offset commit, no registry removal); {@link #stop()} is the operator's SIGTERM.
 *
 * <p>One process per instance: a restart is a new {@code RoleProcess} with the same config file (see
 * {@link ClusterHarness#restart}). Thread-safe for reads; start/kill/stop from the test thread.
 */
final class RoleProcess {

    /** Logged by {@code RoleCommand} once every part of the role is up. */
    private static final String READY_LINE = "] ready in ";

    private final String name;
    private final ClusterHarness.Role role;
    private final Path config;
    private final Path log;
    private final Process process;

    private RoleProcess(String name, ClusterHarness.Role role, Path config, Path log, Process process) {
        this.name = name;
        this.role = role;
        this.config = config;
        this.log = log;
        this.process = process;
    }

    /** Launches the JVM; does not wait for readiness (see {@link #awaitReady}). */
    static RoleProcess launch(String name, ClusterHarness.Role role, Path jar, Path config, Path log,
            List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dmagpie.cluster.process=" + name); // names the process in ps output
        command.add("-jar");
        command.add(jar.toString());
        command.add(role.command());
        command.add("--config");
        command.add(config.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // the config file is the whole truth: MAGPIE_* variables of the test's environment (e.g.
        // external servers) would override it key by key
        builder.environment().keySet().removeIf(k -> k.startsWith("MAGPIE_") && !k.equals("MAGPIE_LOG_LEVEL")
                && !k.equals("MAGPIE_LOG_FORMAT"));
        try {
            Files.writeString(log, "### " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8);
            return new RoleProcess(name, role, config, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + name + " (" + command + ")", e);
        }
    }

    String name() {
        return name;
    }

    ClusterHarness.Role role() {
        return role;
    }

    Path config() {
        return config;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Waits for the role's "ready in" log line.
     *
     * @throws AssertionError when the process exits first or the line does not come in time, with the
     *     log's tail
     */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (logText().contains(READY_LINE)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready;"
                        + " last lines of " + log + ":\n" + tail(40));
            }
            sleep(100);
        }
        throw new AssertionError(name + " was not ready within " + timeout + "; last lines of " + log + ":\n"
                + tail(40));
    }

    /** SIGKILL and wait for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM (graceful stop) and wait; SIGKILL if it does not exit within {@code grace}. */
    void stop(Duration grace) {
        process.destroy();
        if (!waitFor(grace)) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The whole log of this process so far (one file per launch). */
    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + (process.isAlive() ? "" : ", exited") + ")";
    }

    /** Sleeps; an interrupt fails the test. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
