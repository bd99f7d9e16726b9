package io.magpie.server;

import io.magpie.das.Database;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.MuteSettings;
import io.magpie.das.UnreadCounts;
import io.magpie.registry.GateRegistry;
import io.magpie.registry.NacosGateRegistry;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RegistryConfig;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.bus.Topics;
import io.magpie.gate.DrainReport;
import io.magpie.gate.GateConfig;
import io.magpie.gate.GateProducers;
import io.magpie.gate.GateServer;
import io.magpie.logic.LogicService;
import io.magpie.lsb.LsbServer;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.registry.RedisActiveSessions;
import io.magpie.hooks.AfterSendEndpoint;
import io.magpie.hooks.AfterSendService;
import io.magpie.router.notify.NotifierConfig;
import io.magpie.router.notify.NotifierService;
import io.magpie.router.notify.PushNotifierRegistry;
import io.magpie.server.admin.GateAdminConfig;
import io.magpie.server.admin.GateAdminRoutes;
import io.magpie.server.admin.GateDrainControl;
import io.magpie.server.config.Settings;
import io.magpie.server.health.HealthConfig;
import io.magpie.server.health.HealthServer;
import io.magpie.server.health.HopRoutes;
import io.magpie.server.metrics.MysqlDurabilityMeters;
import io.magpie.server.metrics.NodeMeters;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one Magpie process: builds the shared clients (Redis, MySQL, Kafka) and
 * starts the requested roles in dependency order (logic, router, gate, lsb), closing everything in
 * reverse on {@link #close()}. A process may run one role or all of them ({@code standalone}).
 * Start and close from one thread.
 *
 * <p>A gate drains ({@link #drainGate}) on the operator's request (the health listener's
 * {@code POST /admin/v1/drain}) or on SIGTERM ({@link #stopGracefully}); once drained, the gate role
 * stops and {@link #gateStopped()} completes, which ends a {@code magpie gate} process.
 */
public final class MagpieNode implements AutoCloseable {

    /** The roles a node can run. */
    public enum Role { LOGIC, ROUTER, NOTIFIER, GATE, LSB }

    private static final Logger log = LoggerFactory.getLogger(MagpieNode.class);
    /** How long a gate's event loop may take to run a no-op task before the health check calls it wedged. */
    private static final Duration EVENT_LOOP_CHECK = Duration.ofSeconds(2);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private LogicService logic;
    private GateServer gate;
    private LsbServer lsb;
    private HealthServer health;
    private GateAdminConfig gateAdmin;
    private final CompletableFuture<Void> gateStopped = new CompletableFuture<>();

    private MagpieNode() {
    }

    /** Starts {@code roles}; on any failure stops what was started and rethrows. */
    public static MagpieNode start(Settings settings, Set<Role> roles, Clock clock) {
        MagpieNode node = new MagpieNode();
        try {
            // before anything connects, binds a port or migrates a schema: first the settings of the roles
            // to start (a bad value is reported as itself), then keys that no role reads
            readSettingsOf(settings, EnumSet.copyOf(roles));
            settings.rejectUnknownKeys();
            node.startRoles(settings, EnumSet.copyOf(roles), clock);
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void startRoles(Settings settings, Set<Role> roles, Clock clock) {
        // containers start in any order: wait (bounded, logged) for Redis, Kafka and MySQL, answering
        // health meanwhile (live: yes, ready: not yet) so an orchestrator does not kill a waiting process
        AtomicBoolean started = new AtomicBoolean();
        HealthConfig healthConfig = settings.health();
        GateAdminRoutes adminRoutes = null;
        HopRoutes hopRoutes = null;
        if (roles.contains(Role.GATE)) {
            gateAdmin = settings.gateAdmin();
            adminRoutes = new GateAdminRoutes(gateAdmin.adminToken());
            hopRoutes = new HopRoutes(clock);
        }
        // one registry for every role of the process, served on the health listener as /metrics
        NodeMeters meters = track(new NodeMeters());
        if (healthConfig.enabled()) {
            GateAdminRoutes routes = adminRoutes;
            HopRoutes hops = hopRoutes;
            health = track(HealthServer.start(healthConfig, List.of(new HealthServer.Check("startup", () -> true,
                    started::get)), meters::scrape, javalin -> {
                        if (routes != null) {
                            routes.install(javalin);
                            hops.install(javalin);
                        }
                    }));
        }
        List<HealthServer.Check> checks = new ArrayList<>();
        InfraWait infra = new InfraWait(settings.startupInfraWait(), clock);
        RedisStore redis = track(infra.until("redis " + settings.redis().uri().replaceFirst("//[^@/]*@", "//***@"),
                () -> RedisStore.connect(settings.redis())));
        // routes expire unless a gate re-registers them: three route refreshes, so one lost refresh drops nobody
        RedisRouteTable routes = new RedisRouteTable(redis, settings.gate().routeRefresh().multipliedBy(3), clock);
        // only the roles that read or write it; a Nacos registry is a connection of its own
        GateRegistry registry = roles.contains(Role.GATE) || roles.contains(Role.ROUTER) || roles.contains(Role.LSB)
                ? gateRegistry(settings, redis, infra, clock) : null;
        Topics topics = settings.topics();
        if (!roles.equals(EnumSet.of(Role.LSB))) {
            infra.until("kafka " + settings.kafkaBootstrap(), () -> ensureTopics(settings.kafkaBootstrap(), topics,
                    settings.partitions()));
        }
        Database database = null;
        if (roles.contains(Role.LOGIC) || roles.contains(Role.NOTIFIER)) {
            database = track(infra.until("mysql " + settings.mysql().jdbcUrl(),
                    () -> Database.open(settings.mysql(), meters.registry())));
        }
        if (roles.contains(Role.LOGIC)) {
            MysqlDurabilityMeters.register(database.dataSource(), meters.registry());
            logic = track(new LogicService(settings.logic(), database, redis, clock, meters.registry()).start());
            checks.add(new HealthServer.Check("logic", logic::live, logic::ready));
        }
        if (roles.contains(Role.NOTIFIER)) {
            NotifierConfig notifierConfig = settings.notifier();
            // tracked first, so closed after the worker that sends through it
            PushNotifierRegistry pushNotifiers = track(PushNotifierRegistry.builtIn(notifierConfig));
            NotifierService notifier = track(new NotifierService(notifierConfig,
                    new DeviceTokenRepository(database.dataSource()), new MuteSettings(database.dataSource()),
                    new MessageRepository(database.dataSource()), new UnreadCounts(database.dataSource()),
                    pushNotifiers).start());
            checks.add(new HealthServer.Check("notifier", notifier::live, notifier::ready));
            // one loop per endpoint, so an app's endpoint that is down holds back no other endpoint's events
            for (AfterSendEndpoint endpoint : settings.hooks().afterSendEndpoints()) {
                AfterSendService hooks = track(new AfterSendService(endpoint, settings.kafkaBootstrap(), topics,
                        clock).start());
                checks.add(new HealthServer.Check(hooks.checkName(), hooks::live, hooks::ready));
            }
        }
        if (roles.contains(Role.ROUTER)) {
            io.magpie.router.RouterService router = track(new io.magpie.router.RouterService(settings.router(), routes,
                    registry, clock, meters.registry()).start());
            checks.add(new HealthServer.Check("router", router::live, router::ready));
        }
        if (roles.contains(Role.GATE)) {
            GateConfig gateConfig = settings.gate();
            KafkaProducer<String, byte[]> producer = track(new KafkaProducer<>(GateProducers.config(settings.kafkaBootstrap())));
            gate = track(new GateServer(gateConfig, routes, registry, producer, topics,
                    new TokenCodec(settings.tokenKeys(), clock), new RedisActiveSessions(redis), clock, meters.registry()));
            gate.start();
            GateServer runningGate = gate;
            hopRoutes.attach(runningGate.hopLatencies());
            checks.add(new HealthServer.Check("gate", () -> runningGate.live(EVENT_LOOP_CHECK),
                    () -> runningGate.ready(EVENT_LOOP_CHECK)));
            adminRoutes.attach(new GateDrainControl() {
                @Override
                public Status status() {
                    return new Status(runningGate.gateId(), gateStopped.isDone() ? "STOPPED"
                            : runningGate.advertisedState().name(), runningGate.connectionCount(),
                            runningGate.reconnectsSent());
                }

                @Override
                public CompletableFuture<DrainReport> drain(String reason) {
                    return drainGate(reason);
                }
            });
        }
        if (roles.contains(Role.LSB)) {
            lsb = track(new LsbServer(settings.lsb(), registry, clock, meters.registry()).start());
            checks.add(new HealthServer.Check("lsb", lsb::live, lsb::ready));
        }
        if (health != null) {
            checks.forEach(health::add);
        }
        started.set(true);
    }

    /** The gate registry that {@code registry.type} names, one for the gate, router and LSB of the process. */
    private GateRegistry gateRegistry(Settings settings, RedisStore redis, InfraWait infra, Clock clock) {
        // a gate's entry lives three refresh periods: one lost refresh does not drop it from the LSB
        Duration ttl = settings.gate().registryRefresh().multipliedBy(3);
        RegistryConfig config = settings.registry();
        if (config.type() == RegistryConfig.Type.REDIS) {
            return new RedisGateRegistry(redis, ttl);
        }
        NacosGateRegistry nacos = track(NacosGateRegistry.connect(config.nacos(), ttl, clock));
        infra.until("nacos " + config.nacos().serverAddr(), () -> {
            nacos.checkServer();
            return nacos;
        });
        return nacos;
    }

    /**
     * Maps (and so validates) every setting that {@link #startRoles} reads for {@code roles}; no side effects.
     * Package-private for the deploy tests, which check the compose and Kubernetes configs with it.
     */
    static void readSettingsOf(Settings settings, Set<Role> roles) {
        settings.redis();
        if (roles.contains(Role.GATE) || roles.contains(Role.ROUTER) || roles.contains(Role.LSB)) {
            settings.registry();
        }
        settings.gate(); // every role: the registry entry's lifetime comes from gate.registry-refresh
        settings.gateAdmin();
        if (!roles.equals(EnumSet.of(Role.LSB))) {
            settings.kafkaBootstrap();
            settings.topics();
            settings.partitions();
        }
        if (roles.contains(Role.LOGIC) || roles.contains(Role.NOTIFIER)) {
            settings.mysql();
        }
        if (roles.contains(Role.LOGIC)) {
            settings.logic();
        }
        if (roles.contains(Role.NOTIFIER)) {
            settings.notifier();
            settings.hooks();
        }
        if (roles.contains(Role.ROUTER)) {
            settings.router();
        }
        if (roles.contains(Role.GATE) || roles.contains(Role.ROUTER)) {
            settings.clusterSecret(); // required, and refused when equal to auth.token-secret
        }
        if (roles.contains(Role.GATE)) {
            settings.tokenKeys();
        }
        if (roles.contains(Role.LSB)) {
            settings.lsb();
        }
        settings.health();
        settings.startupInfraWait();
    }

    private static Set<String> ensureTopics(String bootstrap, Topics topics, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Set<String> created = topics.ensure(admin, partitions);
            if (!created.isEmpty()) {
                log.info("[node] created topics {} with {} partitions", created, partitions);
            }
            return created;
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.push(resource);
        return resource;
    }

    /** The running account API's port, or -1 when this node runs no logic role. */
    public int accountApiPort() {
        return logic == null ? -1 : logic.httpPort();
    }

    /** Whether this node's account API serves the web chat page at {@code /chat/}. */
    public boolean servesWebChat() {
        return logic != null && logic.servesWebChat();
    }

    /** The health listener's port, or -1 when {@code health.enabled} is false. */
    public int healthPort() {
        return health == null ? -1 : health.port();
    }

    /** The running LSB's port, or -1. */
    public int lsbPort() {
        return lsb == null ? -1 : lsb.port();
    }

    /**
     * Drains this node's gate (docs/operations.md §5): the registry marks it DRAINING, its clients get
     * RECONNECT in paced batches, and once none is left (or at {@code gate.drain.deadline}) the gate role
     * stops on a thread of its own and {@link #gateStopped()} completes. Idempotent.
     *
     * @throws IllegalStateException if this node runs no gate or it is not running
     */
    public CompletableFuture<DrainReport> drainGate(String reason) {
        GateServer g = gate;
        if (g == null) {
            throw new IllegalStateException("this process runs no gate");
        }
        CompletableFuture<DrainReport> drained = g.drain(gateAdmin.drain(), reason);
        drained.thenAccept(report -> {
            if (!gateStopped.isDone()) {
                // close() waits for event loops, so never on the loop that completed the drain
                Thread stopper = new Thread(() -> {
                    g.close();
                    gateStopped.complete(null);
                }, "gate-drain-stop");
                stopper.start();
            }
        });
        return drained;
    }

    /** Completes once a drained gate role has stopped (never for a node without a gate). */
    public CompletableFuture<Void> gateStopped() {
        return gateStopped;
    }

    /**
     * SIGTERM: drains the gate first when this node runs one (waiting at most {@code gate.drain.deadline}
     * plus 10 s), then closes everything ({@link #close()}).
     */
    public void stopGracefully() {
        GateServer g = gate;
        if (g != null && !gateStopped.isDone()) {
            try {
                drainGate("gate draining (shutting down)");
                gateStopped.get(gateAdmin.drain().deadline().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
            } catch (IllegalStateException e) {
                log.info("[node] not draining the gate: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                log.warn("[node] the gate did not finish draining in time; closing it now", e);
            }
        }
        close();
    }

    /** The running gate, or null. */
    public GateServer gate() {
        return gate;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("[node] failed to stop {}; stopping the rest", c.getClass().getSimpleName(), e);
            }
        }
    }
}
