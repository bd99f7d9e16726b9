package io.magpie.server.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running role process of the cluster, started by {@link RoleLauncher}. Ready means its health
 * listener answers {@code GET /health/ready} with 200 (every role of the process is up). A stop is the
 * operator's SIGTERM (a gate drains, a consumer leaves its Kafka group so its partitions move), then
 * SIGKILL when it does not end in time.
 *
 * <p>Thread-safe: the supervisor's request threads and its shutdown hook may use one instance.
 */
public final class RoleChild {

    private static final Logger log = LoggerFactory.getLogger(RoleChild.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Where a process is in its life, as {@code magpie cluster status} shows it. */
    public enum State { STARTING, READY, STOPPING, EXITED }

    private final ProcessPlan plan;
    private final Path config;
    private final Path logFile;
    private final Process process;
    private final Instant started;
    private volatile boolean ready;
    private volatile boolean stopping;

    RoleChild(ProcessPlan plan, Path config, Path log, Process process, Instant started) {
        this.plan = plan;
        this.config = config;
        this.logFile = log;
        this.process = process;
        this.started = started;
    }

    public ProcessPlan plan() {
        return plan;
    }

    public String name() {
        return plan.name();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return logFile;
    }

    public Path config() {
        return config;
    }

    public Instant started() {
        return started;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Completes when the process has exited, with it. */
    public java.util.concurrent.CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    public State state() {
        if (!process.isAlive()) {
            return State.EXITED;
        }
        return stopping ? State.STOPPING : ready ? State.READY : State.STARTING;
    }

    /** The exit status, or null while it runs. */
    public Integer exitStatus() {
        return process.isAlive() ? null : process.exitValue();
    }

    public String healthUrl() {
        return "http://127.0.0.1:" + plan.healthPort() + "/health/ready";
    }

    /**
     * Waits until the process answers ready.
     *
     * @throws ClusterException when it exits first or is not ready within {@code timeout}, with the log's tail
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ClusterException(name() + " exited with status " + process.exitValue()
                        + " before it was ready; last lines of " + logFile + ":\n" + tail(30));
            }
            if (answersReady()) {
                ready = true;
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while waiting for " + name() + " to be ready", e);
            }
        }
        throw new ClusterException(name() + " (pid " + pid() + ") was not ready within " + timeout.toSeconds()
                + " s (" + healthUrl() + "); last lines of " + logFile + ":\n" + tail(30));
    }

    private boolean answersReady() {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(healthUrl()))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notListeningYet) {
            // the JVM is still starting, or waiting for Redis/Kafka/MySQL: ask again
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether {@link #signalStop()} was called: an exit after it was asked for. */
    public boolean stopRequested() {
        return stopping;
    }

    /** Sends SIGTERM without waiting (a no-op when it already exited). */
    public void signalStop() {
        stopping = true;
        process.destroy();
    }

    /**
     * Waits up to {@code grace} for the process to end after {@link #signalStop()}, then SIGKILLs it.
     *
     * @return true when it ended by itself
     */
    public boolean awaitStop(Duration grace) {
        if (waitFor(grace)) {
            return true;
        }
        log.warn("[cluster] {} (pid {}) did not stop within {} s of SIGTERM; killing it (SIGKILL)", name(), pid(),
                grace.toSeconds());
        process.destroyForcibly();
        if (!waitFor(Duration.ofSeconds(10))) {
            throw new ClusterException(name() + " (pid " + pid() + ") survived SIGKILL for 10 s");
        }
        return false;
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * The last {@code lines} lines of its log without stack frames, for error messages: the frames would
     * push the line that says what went wrong ("could not listen on ... port 8080") out of view.
     */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name() + " (pid " + pid() + ", " + state() + ")";
    }
}
