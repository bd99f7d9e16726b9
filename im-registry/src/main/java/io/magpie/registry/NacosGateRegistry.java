package io.magpie.registry;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import io.magpie.registry.internal.NacosInstanceCodec;
import io.magpie.registry.internal.NacosInstanceCodec.Published;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link GateRegistry} on the Nacos naming service: each gate is one <b>ephemeral</b> instance of the service
 * {@link NacosConfig#service()} in {@link NacosConfig#group()} and {@link NacosConfig#namespace()}, at
 * {@code host:internalPort}, with every {@link GateInfo} field as metadata ({@link NacosInstanceCodec}).
 *
 * <p><b>One gate per registry.</b> Nacos keeps one instance per service for each client connection, so a registry
 * publishes at most one gate id (a gate process runs one gate); publishing a second id fails. Reading (list, find)
 * sees every gate.
 *
 * <p><b>Freshness, the same contract as the Redis registry.</b> Every {@link #list()} asks the Nacos server (no
 * client-side cache; {@link #find} reuses a list up to {@value #FIND_REUSE_MILLIS} ms old), so a read fails while Nacos is unreachable, as a Redis read would, and the
 * LSB keeps its last view. An entry is listed while its metadata {@code publishedAt} (the writer's clock) is at most
 * {@code ttl} before the reader's clock: a gate that stops republishing (wedged, while its process and so its Nacos
 * connection live on) drops out after {@code ttl}, as its Redis hash would expire; a gate whose process dies drops
 * out as soon as Nacos notices the connection is gone (or after {@code ttl}, whichever is first). This assumes the
 * hosts' clocks agree to well within {@code ttl} (NTP). Nacos applies a write to what readers see asynchronously
 * (usually within milliseconds), so a read right after a publish may not see it yet.
 *
 * <p>Nacos's client API blocks: writes run in order on one thread of this registry (a remove issued after a
 * publish reaches Nacos after it), reads on two others, so callers never block. Thread-safe. The caller that
 * connected it closes it; closing ends the Nacos connection, which removes the gate's instance too.
 */
public final class NacosGateRegistry implements GateRegistry, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NacosGateRegistry.class);
    /** The Nacos client's property for the directory its snapshot (failover cache) goes under. */
    static final String SNAPSHOT_PATH = "JM.SNAPSHOT.PATH";
    /** How old a list {@link #find} may reuse: the router asks once per gate per push batch. */
    private static final long FIND_REUSE_MILLIS = 500;

    private final NamingService naming;
    private final NacosConfig config;
    private final long ttlMillis;
    private final Clock clock;
    private final ExecutorService writer;
    private final ExecutorService readers;
    /** The last list read for {@link #find} (in flight or done) and when it was asked. */
    private final AtomicReference<Snapshot> findSnapshot = new AtomicReference<>();
    /** Instances already warned about as unreadable: one WARN each, not one per read. */
    private final Set<String> warnedUnreadable = ConcurrentHashMap.newKeySet();
    /** The gate this registry published (writer thread only). */
    private String ownGateId;
    private Instance ownInstance;

    private NacosGateRegistry(NamingService naming, NacosConfig config, Duration ttl, Clock clock) {
        this.naming = naming;
        this.config = config;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
        this.writer = Executors.newSingleThreadExecutor(daemon("nacos-registry-write"));
        this.readers = Executors.newFixedThreadPool(2, daemon("nacos-registry-read"));
    }

    /**
     * Creates the Nacos client for {@code config}. The client connects in the background; {@link #checkServer()}
     * tells whether it reached a server.
     *
     * @param ttl   how long an entry is listed after its last publish; gates should publish every ttl/3
     * @param clock the reader's (and writer's) clock for {@code publishedAt}
     * @throws StorageException (not retryable) when the Nacos client cannot be created from these settings
     */
    public static NacosGateRegistry connect(NacosConfig config, Duration ttl, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("gate registry ttl must be at least 1 ms, got " + ttl);
        }
        Properties properties = properties(config);
        try {
            NamingService naming = NamingFactory.createNamingService(properties);
            log.info("nacos {}: gate registry in namespace '{}', group {}, service {}", config.serverAddr(),
                    config.namespace().isEmpty() ? "public" : config.namespace(), config.group(), config.service());
            return new NacosGateRegistry(naming, config, ttl, clock);
        } catch (NacosException e) {
            throw new StorageException("cannot create the Nacos client for " + config + ": " + e.getErrMsg(), e,
                    false);
        }
    }

    /** The Nacos client properties for {@code config} (package-private: the tests open a plain client with them). */
    static Properties properties(NacosConfig config) {
        Properties properties = new Properties();
        properties.setProperty(PropertyKeyConst.SERVER_ADDR, config.serverAddr());
        if (!config.namespace().isEmpty()) {
            properties.setProperty(PropertyKeyConst.NAMESPACE, config.namespace());
        }
        if (config.authenticated()) {
            properties.setProperty(PropertyKeyConst.USERNAME, config.username());
            properties.setProperty(PropertyKeyConst.PASSWORD, config.password());
        }
        // the client's failover snapshot goes to <java.io.tmpdir>/nacos/naming/..., not ~/nacos: the Kubernetes
        // pods have a read-only root file system with a writable /tmp (NAMING_CACHE_REGISTRY_DIR would only name
        // a subdirectory under the home); and reads always ask the server, so no cache at start
        properties.setProperty(SNAPSHOT_PATH, System.getProperty("java.io.tmpdir"));
        properties.setProperty(PropertyKeyConst.NAMING_LOAD_CACHE_AT_START, "false");
        return properties;
    }

    /**
     * Fails unless the client is connected to a Nacos server (for the start-up wait).
     *
     * @throws StorageException (retryable) while no server is reachable
     */
    public void checkServer() {
        String status = naming.getServerStatus();
        if (!"UP".equals(status)) {
            throw new StorageException("nacos " + config.serverAddr() + " not reachable (client status " + status
                    + ")", null, true);
        }
    }

    @Override
    public CompletableFuture<Void> publish(GateInfo gate) {
        long publishedAt = clock.millis();
        return write(() -> {
            // encoded here, not by the caller: a gate Nacos cannot hold fails the future, as every other failure
            Instance instance = NacosInstanceCodec.encode(gate, publishedAt);
            if (ownGateId != null && !ownGateId.equals(gate.gateId())) {
                throw new IllegalStateException("this Nacos gate registry publishes gate " + ownGateId
                        + "; it cannot also publish " + gate.gateId() + " (Nacos keeps one instance per service and"
                        + " client connection: connect one registry per gate)");
            }
            call(() -> naming.registerInstance(config.service(), config.group(), instance), "publish", gate.gateId());
            ownGateId = gate.gateId();
            ownInstance = instance;
        });
    }

    @Override
    public CompletableFuture<Void> remove(String gateId) {
        return write(() -> {
            if (ownGateId == null) {
                // nothing registered through this client (the gate never published): nothing of it is in Nacos
                log.debug("gate {}: not published through this Nacos registry; nothing to remove", gateId);
                return;
            }
            if (!ownGateId.equals(gateId)) {
                throw new IllegalStateException("this Nacos gate registry publishes gate " + ownGateId
                        + " and cannot remove " + gateId + ": an ephemeral instance belongs to its gate's own Nacos"
                        + " connection");
            }
            call(() -> naming.deregisterInstance(config.service(), config.group(), ownInstance), "remove", gateId);
            ownGateId = null;
            ownInstance = null;
        });
    }

    /** {@code change} on the writer thread, after every earlier one; a failed future once the registry is closed. */
    private CompletableFuture<Void> write(Runnable change) {
        try {
            return CompletableFuture.runAsync(change, writer);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StorageException("nacos " + config.serverAddr()
                    + ": the gate registry is closed", e, false));
        }
    }

    @Override
    public CompletableFuture<List<GateInfo>> list() {
        try {
            return CompletableFuture.supplyAsync(this::readFresh, readers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StorageException("nacos " + config.serverAddr()
                    + ": the gate registry is closed", e, false));
        }
    }

    /**
     * One gate, from a list at most {@value #FIND_REUSE_MILLIS} ms old (or one already on its way): Nacos has no
     * read of a single instance by metadata, and the router asks once per gate per push batch, which would
     * otherwise be a full listing each time. A failed read is not reused.
     */
    @Override
    public CompletableFuture<Optional<GateInfo>> find(String gateId) {
        long now = clock.millis();
        Snapshot current = findSnapshot.get();
        if (current == null || now - current.askedAtMillis() > FIND_REUSE_MILLIS
                || current.gates().isCompletedExceptionally()) {
            Snapshot fresh = new Snapshot(now, list());
            current = findSnapshot.compareAndSet(current, fresh) ? fresh : findSnapshot.get();
        }
        return current.gates().thenApply(gates -> gates.stream().filter(g -> g.gateId().equals(gateId)).findFirst());
    }

    private record Snapshot(long askedAtMillis, CompletableFuture<List<GateInfo>> gates) {
    }

    /** Every gate the server lists whose publish is within the ttl, one per id (the latest), ordered by id. */
    private List<GateInfo> readFresh() {
        List<Instance> instances = new ArrayList<>();
        // subscribe = false: ask the server every time, so an unreachable Nacos fails the read
        call(() -> instances.addAll(naming.getAllInstances(config.service(), config.group(), false)), "list", "*");
        long oldest = clock.millis() - ttlMillis;
        Map<String, Published> latest = new TreeMap<>();
        for (Instance instance : instances) {
            Published p;
            try {
                p = NacosInstanceCodec.decode(instance);
            } catch (IllegalArgumentException e) {
                // a malformed entry (another version's writer, or another service's instance) is not offered
                if (warnedUnreadable.add(instance.getIp() + ":" + instance.getPort() + " " + e.getMessage())) {
                    log.warn("nacos {}: ignoring unreadable instance {}:{} of {}: {} (said once per instance)",
                            config.serverAddr(), instance.getIp(), instance.getPort(), config.service(),
                            e.getMessage());
                }
                continue;
            }
            if (p.publishedAtMillis() < oldest) {
                continue; // its gate stopped republishing: as an expired Redis entry
            }
            // the same id twice: a restarted gate while Nacos still holds its old connection's instance
            latest.merge(p.gate().gateId(), p, (a, b) -> a.publishedAtMillis() >= b.publishedAtMillis() ? a : b);
        }
        List<GateInfo> gates = new ArrayList<>(latest.size());
        latest.values().forEach(p -> gates.add(p.gate()));
        gates.sort(Comparator.comparing(GateInfo::gateId));
        return gates;
    }

    private interface NacosCall {
        void run() throws NacosException;
    }

    private void call(NacosCall call, String what, String gateId) {
        try {
            call.run();
        } catch (NacosException e) {
            throw new StorageException("nacos " + config.serverAddr() + ": " + what + " of gate " + gateId
                    + " in service " + config.group() + "@@" + config.service() + " failed: " + e.getErrCode() + " "
                    + e.getErrMsg(), e, true);
        }
    }

    /** Stops the threads and the Nacos client; Nacos then drops the instance this registry held. */
    @Override
    public void close() {
        // queued reads and writes still run (against the open client) so that no caller's future is left
        // pending; new ones fail at once (RejectedExecutionException, turned into failed futures)
        writer.shutdown();
        readers.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("nacos {}: a registry write did not finish within 5 s of close", config.serverAddr());
                writer.shutdownNow();
            }
            if (!readers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("nacos {}: a registry read did not finish within 5 s of close", config.serverAddr());
                readers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            naming.shutDown();
        } catch (NacosException e) {
            log.warn("nacos {}: closing the naming client failed: {}", config.serverAddr(), e.getErrMsg(), e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
