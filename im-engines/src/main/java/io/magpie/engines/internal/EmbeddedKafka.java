package io.magpie.engines.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one {@link KafkaRaftServer}) inside this
 * JVM, on two free loopback ports.
 *
 * <p>Every start formats a fresh log directory {@code <slot>/kafka} (deleted again at stop), so
 * topics never accumulate across runs. Sized for tests: replication factor 1 everywhere,
 * single-partition internal topics, no initial rebalance delay, a 2 MiB cleaner buffer instead of
 * 128 MiB. Kafka's {@code Exit.exit/halt} are redirected to an exception so a broker fault cannot
 * end the host JVM (a JVM-wide setting, left in place after stop).
 */
public final class EmbeddedKafka implements KafkaServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final long START_TIMEOUT_MS = 30_000;

    private final KafkaConfig config;
    private final Path logDir;
    private final String bootstrap;
    private final String clusterId;
    private KafkaRaftServer server; // guarded by this; null while stopped in place
    private boolean stopped;

    private EmbeddedKafka(KafkaConfig config, KafkaRaftServer server, Path logDir, String bootstrap,
            String clusterId) {
        this.config = config;
        this.server = server;
        this.logDir = logDir;
        this.bootstrap = bootstrap;
        this.clusterId = clusterId;
    }

    public static EmbeddedKafka start(Path slotDir, int defaultPartitions) {
        Path logDir = slotDir.resolve("kafka");
        Dirs.deleteRecursively(logDir);
        int[] ports = FreePorts.distinct(2);
        int brokerPort = ports[0];
        int controllerPort = ports[1];
        String bootstrap = "127.0.0.1:" + brokerPort;
        String clusterId = Uuid.randomUuid().toString();
        KafkaRaftServer server = null;
        try {
            Files.createDirectories(logDir);
            KafkaConfig config = new KafkaConfig(
                    properties(logDir, brokerPort, controllerPort, defaultPartitions), false);
            format(logDir, clusterId);
            keepJvmAlive();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            KafkaProbe.awaitCluster(bootstrap, START_TIMEOUT_MS);
            return new EmbeddedKafka(config, server, logDir, bootstrap, clusterId);
        } catch (Exception e) {
            if (server != null) {
                shutdown(server);
            }
            throw new IllegalStateException("Kafka in " + logDir + " did not start on port "
                    + brokerPort + ": " + e.getMessage(), e);
        }
    }

    static Map<String, String> properties(Path logDir, int brokerPort, int controllerPort,
            int defaultPartitions) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER
                + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", Integer.toString(defaultPartitions));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("broker.heartbeat.interval.ms", "500");
        return p;
    }

    /** What {@code kafka-storage.sh format} does, for a static single-voter quorum. */
    private static void format(Path logDir, String clusterId)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        }
        log.debug("formatted {}: {}", logDir, out.toString(StandardCharsets.UTF_8).trim());
    }

    private static void keepJvmAlive() {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("embedded Kafka called Exit.exit(" + status + "): "
                    + message + " (the test JVM keeps running)");
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("embedded Kafka called Exit.halt(" + status + "): "
                    + message + " (the test JVM keeps running)");
        });
    }

    private static void shutdown(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("embedded Kafka shutdown failed", e);
        }
    }

    @Override
    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public String describe() {
        return "kafka " + AppInfoParser.getVersion() + " embedded " + bootstrap + " (KRaft, cluster "
                + clusterId + ")";
    }

    @Override
    public boolean restartable() {
        return true;
    }

    /**
     * Shuts the broker (and its controller) down cleanly, keeping the log directory: topics, records
     * and committed offsets survive; clients see refused connections until {@link #startInPlace()}.
     */
    @Override
    public synchronized void stopInPlace() {
        if (stopped) {
            throw new IllegalStateException("embedded Kafka " + bootstrap + " is closed; it cannot be stopped in place");
        }
        if (server == null) {
            return;
        }
        shutdown(server);
        server = null;
        log.info("embedded Kafka {} stopped in place (ports and {} kept)", bootstrap, logDir);
    }

    /** A new broker on the same configuration (ports, node id, log directory); returns once it answers. */
    @Override
    public synchronized void startInPlace() {
        if (stopped) {
            throw new IllegalStateException("embedded Kafka " + bootstrap + " is closed; it cannot be started again");
        }
        if (server != null) {
            return;
        }
        KafkaRaftServer restarted = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            restarted.startup();
            KafkaProbe.awaitCluster(bootstrap, START_TIMEOUT_MS);
        } catch (Exception e) {
            shutdown(restarted);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("embedded Kafka did not start again on " + bootstrap + " with "
                    + logDir + ": " + e.getMessage(), e);
        }
        server = restarted;
        log.info("embedded Kafka {} started again", bootstrap);
    }

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (server != null) {
            LogQuieter.quietBrokerStop();
            shutdown(server);
            server = null;
        }
        Dirs.deleteRecursively(logDir);
        log.debug("embedded Kafka {} stopped", bootstrap);
    }
}
