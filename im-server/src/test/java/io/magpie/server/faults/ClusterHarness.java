package io.magpie.server.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.engines.internal.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Magpie cluster of separate JVMs started from the distribution jar, the way an operator runs it
 * ({@code java -jar magpie.jar logic|router|gate|lsb --config FILE}), on the test JVM's im-testkit
 * servers under the test class's {@link TestIsolation} (database, Redis key prefix, topic prefix).
 *
 * <p>Each process is named {@code <role>-<n>} ({@code logic-1}, {@code gate-2}, ...); its YAML config
 * and one log file per launch live in a run directory under {@code target/cluster/}. Gates listen on
 * ephemeral ports that only the gate registry knows (clients find them through the LSB); the account
 * API and the LSB get free ports chosen here so the test can reach them. A gate's id is its process
 * name.
 *
 * <p>The jar is copied into the run directory first, so a rebuild of {@code target/magpie.jar} while
 * the test runs cannot change or truncate what a restarted process loads.
 *
 * <p>Lifecycle: {@link #create}, {@link #start}, faults ({@link #kill}, {@link #stop},
 * {@link #restart}), {@link #close()} (SIGKILLs whatever still runs; a JVM shutdown hook does the same
 * if the test JVM is stopped, and {@link #create} kills orphans a crashed test JVM left behind). Not
 * thread-safe: drive it from the test thread.
 */
final class ClusterHarness implements AutoCloseable {

    /** The roles a process can run, with their CLI command. */
    enum Role {
        LOGIC, ROUTER, GATE, LSB;

        String command() {
            return name().toLowerCase();
        }

        static Role of(String processName) {
            return valueOf(processName.substring(0, processName.indexOf('-')).toUpperCase());
        }
    }

    static final String TOKEN_SECRET = "cluster-harness-token-secret-of-32-bytes-or-more";
    static final String CLUSTER_SECRET = "cluster-harness-cluster-secret-of-32-bytes-or-more";
    private static final String MARKER = "-Dmagpie.cluster.process=";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    // the whole assignment after each (cooperative, incremental) rebalance callback, as ConsumerLoop logs it
    private static final Pattern ASSIGNED = Pattern.compile("partitions (?:assigned|revoked|lost) \\[[^\\]]*\\]; owns \\[([^\\]]*)\\]");

    private final Infrastructure infra;
    private final TestIsolation isolation;
    private final Path jar;
    private final Path dir;
    private final int partitions;
    private final List<String> jvmOptions;
    private final Map<String, RoleProcess> processes = new LinkedHashMap<>();
    private final Map<String, Integer> launches = new LinkedHashMap<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook = new Thread(this::killAll, "cluster-harness-shutdown");

    private ClusterHarness(Infrastructure infra, TestIsolation isolation, Path jar, Path dir, int partitions,
            List<String> jvmOptions) {
        this.infra = infra;
        this.isolation = isolation;
        this.jar = jar;
        this.dir = dir;
        this.partitions = partitions;
        this.jvmOptions = jvmOptions;
    }

    /**
     * Prepares a run directory {@code target/cluster/<time>-<isolation token>} with a copy of
     * {@code target/magpie.jar} (built by {@code package}); starts nothing.
     *
     * @param partitions partitions of the upstream/push/offline topics
     */
    static ClusterHarness create(Infrastructure infra, TestIsolation isolation, int partitions) {
        Path target = moduleDir().resolve("target");
        Path builtJar = target.resolve("magpie.jar");
        if (!Files.isRegularFile(builtJar)) {
            throw new IllegalStateException(builtJar + " is missing: the fault tests run the distribution jar,"
                    + " which `./mvnw package -pl im-server` builds (failsafe runs after package)");
        }
        killOrphans();
        Path clusters = target.resolve("cluster");
        String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + isolation.topicPrefix().replace(".", "");
        Path dir = clusters.resolve(run);
        try {
            deleteOldJars(clusters);
            Files.createDirectories(dir);
            Path jar = dir.resolve("magpie.jar");
            Files.copy(builtJar, jar, StandardCopyOption.REPLACE_EXISTING);
            List<String> jvm = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-XX:-UsePerfData", "-Xss512k");
            ClusterHarness harness = new ClusterHarness(infra, isolation, jar, dir, partitions, jvm);
            Runtime.getRuntime().addShutdownHook(harness.shutdownHook);
            return harness;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the cluster directory " + dir, e);
        }
    }

    /** Where configs and logs are. */
    Path dir() {
        return dir;
    }

    /**
     * Launches the named processes in parallel (a name seen before reuses its config, ports and gate
     * id: that is a restart) and waits until each logged its "ready in" line. For a gate it then
     * waits until the LSB lists it, when an LSB runs.
     */
    void start(String... names) {
        List<RoleProcess> launched = new ArrayList<>();
        for (String name : names) {
            RoleProcess current = processes.get(name);
            if (current != null && current.alive()) {
                throw new IllegalStateException(name + " is already running: " + current);
            }
            int launch = launches.merge(name, 1, Integer::sum);
            Path config = configFile(name);
            RoleProcess process = RoleProcess.launch(name, Role.of(name), jar, config,
                    dir.resolve(name + (launch == 1 ? "" : "-launch" + launch) + ".log"), jvmOptions);
            processes.put(name, process);
            launched.add(process);
        }
        for (RoleProcess p : launched) {
            p.awaitReady(READY_TIMEOUT);
        }
        List<String> gates = launched.stream().filter(p -> p.role() == Role.GATE).map(RoleProcess::name).toList();
        if (!gates.isEmpty() && !running(Role.LSB).isEmpty()) {
            awaitLsbLists(gates);
        }
    }

    /** A crash: SIGKILL, and wait until the process is gone. */
    void kill(String name) {
        process(name).kill();
    }

    /** A graceful stop (SIGTERM), SIGKILL after 30 s. */
    void stop(String name) {
        process(name).stop(Duration.ofSeconds(30));
    }

    /** Starts a killed or stopped process again with the same config (same gate id, same ports). */
    void restart(String name) {
        RoleProcess p = process(name);
        if (p.alive()) {
            p.stop(Duration.ofSeconds(30));
        }
        start(name);
    }

    RoleProcess process(String name) {
        RoleProcess p = processes.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no process " + name + " was started; known: " + processes.keySet());
        }
        return p;
    }

    /** Names of the running processes of {@code role}, in start order. */
    List<String> running(Role role) {
        return processes.values().stream().filter(p -> p.role() == role && p.alive()).map(RoleProcess::name)
                .toList();
    }

    /** The account API of a running logic process. */
    String accountApiUrl() {
        String logic = running(Role.LOGIC).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no logic process runs"));
        return "http://127.0.0.1:" + httpPorts.get(logic);
    }

    /** The LSB's URL. */
    String lsbUrl() {
        String lsb = running(Role.LSB).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no LSB process runs"));
        return "http://127.0.0.1:" + httpPorts.get(lsb);
    }

    /**
     * The upstream partitions a logic process holds now, from its last "owns [...]" rebalance log line
     * (ConsumerLoop logs the whole assignment after every cooperative, incremental change).
     */
    Set<Integer> upstreamPartitionsOf(String logic) {
        Matcher m = ASSIGNED.matcher(process(logic).logText());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        Set<Integer> owned = new TreeSet<>();
        if (last == null) {
            return owned;
        }
        String topic = isolation.topicPrefix() + "upstream-";
        for (String tp : last.split(",")) {
            String t = tp.trim();
            if (t.startsWith(topic)) {
                owned.add(Integer.parseInt(t.substring(topic.length())));
            }
        }
        return owned;
    }

    /** Log lines of the running processes that contain {@code needle}, each prefixed with its process. */
    List<String> logLines(String needle) {
        List<String> lines = new ArrayList<>();
        for (RoleProcess p : processes.values()) {
            if (p.alive()) {
                p.logText().lines().filter(l -> l.contains(needle)).forEach(l -> lines.add(p.name() + ": " + l));
            }
        }
        return lines;
    }

    /** Every process this harness started is SIGKILLed; the run directory keeps configs and logs. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs killAll itself
        }
        try {
            Files.deleteIfExists(jar); // 200+ MB; the logs stay for a post-mortem
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the jar copy " + jar, e);
        }
    }

    private void killAll() {
        for (RoleProcess p : processes.values()) {
            if (p.alive()) {
                p.kill();
            }
        }
    }

    private void awaitLsbLists(Collection<String> gates) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Set<String> listed = Set.of();
        while (System.nanoTime() < deadline) {
            listed = listedGates();
            if (listed.containsAll(gates)) {
                return;
            }
            RoleProcess.sleep(100);
        }
        throw new AssertionError("the LSB lists " + listed + " but not all of " + gates + " within 30 s");
    }

    /** Gate ids the LSB currently lists ({@code GET /v1/gates}). */
    Set<String> listedGates() {
        JsonNode body = gateList();
        return body == null ? Set.of() : body.findValuesAsText("gateId").stream().collect(Collectors.toSet());
    }

    /** The client TCP port of {@code gate}, as the LSB lists it. */
    int gateTcpPort(String gate) {
        JsonNode body = gateList();
        if (body != null) {
            for (JsonNode g : body.findParents("gateId")) {
                if (gate.equals(g.get("gateId").asText())) {
                    return g.get("tcpPort").asInt();
                }
            }
        }
        throw new AssertionError("the LSB does not list " + gate + " (it lists " + listedGates() + ")");
    }

    /** Per gate id, the relative load the LSB compares ({@code relativeLoad} of {@code GET /v1/gates}). */
    Map<String, Double> relativeLoads() {
        JsonNode body = gateList();
        Map<String, Double> loads = new java.util.TreeMap<>();
        if (body != null) {
            for (JsonNode g : body.findParents("gateId")) {
                loads.put(g.get("gateId").asText(), g.get("relativeLoad").asDouble());
            }
        }
        return loads;
    }

    /** The gate the LSB hands the next client ({@code GET /v1/gate}), as a client asks for one. */
    String lsbChoice() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(lsbUrl() + "/v1/gate"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /v1/gate answered " + response.statusCode() + ": " + response.body());
            }
            return new ObjectMapper().readTree(response.body()).get("gateId").asText();
        } catch (IOException e) {
            throw new AssertionError("GET /v1/gate failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** {@code GET /v1/gates}, null when the LSB does not answer 200. */
    private JsonNode gateList() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(lsbUrl() + "/v1/gates"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return null;
            }
            return new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private Path configFile(String name) {
        Path file = dir.resolve(name + ".yaml");
        if (Files.exists(file)) {
            return file; // a restart: same ports, same gate id
        }
        Role role = Role.of(name);
        StringBuilder yaml = new StringBuilder();
        yaml.append("# ").append(name).append(", written by ClusterHarness\n");
        yaml.append("redis:\n")
                .append("  uri: \"").append(infra.redisUri()).append("\"\n")
                .append("  key-prefix: \"").append(isolation.redisKeyPrefix()).append("\"\n");
        yaml.append("kafka:\n")
                .append("  bootstrap: \"").append(infra.kafkaBootstrap()).append("\"\n")
                .append("  topic-prefix: \"").append(isolation.topicPrefix()).append("\"\n");
        if (role != Role.LSB) {
            yaml.append("  partitions: ").append(partitions).append('\n');
        }
        if (role == Role.LOGIC || role == Role.GATE) {
            yaml.append("auth:\n  token-secret: \"").append(TOKEN_SECRET).append("\"\n");
        }
        if (role == Role.ROUTER || role == Role.GATE) {
            yaml.append("cluster:\n  secret: \"").append(CLUSTER_SECRET).append("\"\n");
        }
        if (role == Role.LOGIC) {
            yaml.append("mysql:\n")
                    .append("  url: \"").append(isolation.jdbcUrl()).append("\"\n")
                    .append("  user: \"").append(infra.mysqlUser()).append("\"\n")
                    .append("  password: \"").append(infra.mysqlPassword()).append("\"\n")
                    .append("  pool-size: 4\n");
        }
        // every role reads the gate section: the registry entry's lifetime derives from its refresh
        yaml.append("gate:\n");
        if (role == Role.GATE) {
            yaml.append("  id: \"").append(name).append("\"\n");
        }
        yaml.append("""
                  host: 127.0.0.1
                  bind: 127.0.0.1
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                  login-timeout: 5s
                  heartbeat: 10s
                  registry-refresh: 1s
                  push-ack-timeout: 1s
                  max-push-resends: 3
                  route-refresh: 2s
                """);
        switch (role) {
            case LOGIC -> {
                int port = freePort();
                httpPorts.put(name, port);
                yaml.append("logic:\n  http-host: 127.0.0.1\n  http-port: ").append(port)
                        .append("\n  pbkdf2-iterations: 1000\n  max-poll-records: 200\n")
                        // the traffic sends far above a person's pace per user
                        .append("  rate-limits:\n    messages-per-second: 0\n    messages-per-minute: 0\n");
            }
            case LSB -> {
                int port = freePort();
                httpPorts.put(name, port);
                yaml.append("lsb:\n  port: ").append(port).append("\n  poll-interval: 200ms\n");
            }
            case ROUTER -> yaml.append("router:\n  push-timeout: 2s\n");
            case GATE -> {
                // ports 0: only the registry knows them
            }
            default -> throw new IllegalStateException("unknown role " + role);
        }
        try {
            Files.writeString(file, yaml.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** A port for a role process to bind later, not one handed out before (below the ephemeral range). */
    private int freePort() {
        int port;
        do {
            port = FreePorts.forLaterBind(1)[0];
        } while (httpPorts.containsValue(port));
        return port;
    }

    /** im-server's directory: failsafe runs tests there and sets {@code basedir}. */
    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /**
     * Role processes of an earlier test JVM that died without its shutdown hook (kill -9) keep
     * running as orphans; they are recognised by our marker option and a parent that is gone.
     */
    private static void killOrphans() {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(MARKER) && c.contains("magpie.jar"))
                        .orElse(false))
                .filter(p -> p.parent().map(parent -> parent.pid() == 1 || !parent.isAlive()).orElse(true))
                .forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteOldJars(Path clusters) throws IOException {
        if (!Files.isDirectory(clusters)) {
            return;
        }
        // copies a crashed run left behind; a copy younger than an hour may belong to a run in progress
        long hourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        try (var runs = Files.list(clusters)) {
            for (Path run : runs.toList()) {
                Path old = run.resolve("magpie.jar");
                if (Files.exists(old) && Files.getLastModifiedTime(old).toMillis() < hourAgo) {
                    Files.deleteIfExists(old);
                }
            }
        }
    }
}
