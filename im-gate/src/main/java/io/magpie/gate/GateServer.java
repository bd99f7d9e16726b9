package io.magpie.gate;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateRegistry;
import io.magpie.registry.GateState;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.gate.internal.ClientConnections;
import io.magpie.gate.internal.ReceiveSizes;
import io.magpie.gate.internal.ClientPipeline;
import io.magpie.gate.internal.DuplicateSessionKicker;
import io.magpie.gate.internal.GateDrainer;
import io.magpie.gate.internal.GateMetrics;
import io.magpie.gate.internal.Ticker;
import io.magpie.gate.internal.GatePushHandler;
import io.magpie.gate.internal.IdleSweeper;
import io.magpie.gate.internal.InternalPushInitializer;
import io.magpie.gate.internal.KafkaPushTaskPublisher;
import io.magpie.gate.internal.KafkaSend;
import io.magpie.gate.internal.KafkaUpstreamPublisher;
import io.magpie.gate.internal.LoginServices;
import io.magpie.gate.internal.ServedApps;
import io.magpie.gate.internal.RegistryPublisher;
import io.magpie.gate.internal.PresenceEvents;
import io.magpie.gate.internal.RouteRefresher;
import io.magpie.gate.internal.Session;
import io.magpie.gate.internal.SessionRoutes;
import io.magpie.gate.internal.SessionTable;
import io.magpie.gate.internal.TcpClientInitializer;
import io.magpie.gate.internal.TlsStage;
import io.magpie.gate.internal.WebSocketClientInitializer;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.registry.ActiveSessions;
import io.magpie.protocol.tls.ServerTls;
import io.magpie.protocol.link.LinkProofs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate role (ARCHITECTURE §2 steps 3, 4 and 8, gate side): client TCP and WebSocket listeners
 * that log clients in, keep them alive and forward their requests to Kafka {@code upstream}; and the
 * internal push port on which routers deliver frames to those clients. Every PUSH written to a client
 * is kept per connection until PUSH_ACK and resent with backoff a bounded number of times.
 *
 * <p>Lifecycle: construct, {@link #start()} once (binds the three ports and publishes the gate to the
 * registry, then republishes every {@code registryRefresh} and re-registers the routes of all its
 * sessions every {@code routeRefresh}, so routes lost in Redis come back), {@link #close()} once (graceful: stops
 * accepting, removes the gate from the registry, unregisters its sessions' routes, closes the
 * connections and shuts its event loops down). Not restartable. In between, {@link #drain} marks the gate
 * DRAINING and moves its clients away with paced RECONNECTs; the caller closes the gate once that completes.
 *
 * <p>Ownership: the gate owns its event loops. The caller owns the route table, the registry and the
 * Kafka producer and closes them after the gate; the producer may be shared with other roles.
 * {@code Producer.send} may block up to {@code max.block.ms} (metadata, full buffer), so the gate calls
 * it from a send thread of its own, never from an event loop, with at most
 * {@code gate.limits.publish-buffer-bytes} waiting (beyond that clients get a retryable SERVER_BUSY).
 *
 * <p>Thread-safety: {@code start}/{@code close} are synchronized; accessors may be called from any
 * thread.
 */
public final class GateServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GateServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_STEP_TIMEOUT = Duration.ofSeconds(5);
    private static final int ACCEPT_BACKLOG = 1024;
    /** Netty's default for stream channels ({@code ChannelMetadata.defaultMaxMessagesPerRead}). */
    private static final int STREAM_READS_PER_WAKEUP = 16;

    private enum State { NEW, RUNNING, CLOSED }

    /**
     * The receive-size prediction of every client connection: one allocator for the gate (Netty's default is a new
     * one per channel) whose per-connection handle is 40 bytes instead of Netty's 96 ({@link ReceiveSizes}). Up to
     * 16 reads per wake-up, as the channels' own default has it.
     */
    private final RecvByteBufAllocator receiveBuffers = new ReceiveSizes(STREAM_READS_PER_WAKEUP);

    private final GateConfig config;
    private final GateRegistry registry;
    private final Clock clock;
    private final HopLatencies hopLatencies;
    private final SessionTable sessions = new SessionTable();
    private final SessionRoutes sessionRoutes;
    private final IdleSweeper idleSweeper;
    private final ClientConnections clients;
    private final ChannelGroup routerChannels = new DefaultChannelGroup("gate-routers", GlobalEventExecutor.INSTANCE);
    private final ClientPipeline clientPipeline;
    private final RegistryPublisher registryPublisher;
    private final RouteRefresher routeRefresher;
    private final KafkaSend bus;
    private final TlsStage tls;

    private State state = State.NEW;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private volatile Listener tcp;
    private volatile Listener ws;
    private volatile Listener internal;
    /** Between a successful start and close: what the health checks look at, without the lock. */
    private volatile boolean serving;
    /** ACTIVE until {@link #drain} starts; what the registry entry says. */
    private volatile GateState advertised = GateState.ACTIVE;
    private volatile GateDrainer drainer;

    /** A bound server channel and the port it got (kept: a closed channel no longer reports it). */
    private record Listener(Channel channel, int port) {
    }

    /**
     * @param config   validated settings
     * @param routes   shared uid -> device -> connection routes (Redis)
     * @param registry shared gate registry (Redis or Nacos)
     * @param producer Kafka producer for {@code upstream} envelopes and KICK push tasks; owned by the caller
     * @param topics   topic names ({@code upstream}, {@code push})
     * @param tokens   verifies login tokens locally
     * @param clock    login times, server times in LOGIN_ACK/PONG, envelope receive times, registry stamps
     * @see #GateServer(GateConfig, RouteTable, GateRegistry, Producer, Topics, TokenCodec, ActiveSessions, Clock)
     *      without a session store: tokens bound to a device session are refused (tests mint unbound ones)
     */
    public GateServer(GateConfig config, RouteTable routes, GateRegistry registry, Producer<String, byte[]> producer,
            Topics topics, TokenCodec tokens, Clock clock) {
        this(config, routes, registry, producer, topics, tokens, ActiveSessions.NONE, clock);
    }

    /**
     * @param activeSessions the current session of each device (Redis), read at every LOGIN so a revoked
     *                       token cannot log in; LOGOUT marks the session logged out there
     */
    public GateServer(GateConfig config, RouteTable routes, GateRegistry registry, Producer<String, byte[]> producer,
            Topics topics, TokenCodec tokens, ActiveSessions activeSessions, Clock clock) {
        this(config, routes, registry, producer, topics, tokens, activeSessions, clock, new CompositeMeterRegistry());
    }

    /**
     * @param meters where the gate's meters go ({@code magpie_gate_*}, tagged with this gate's id); owned by
     *               the caller
     */
    public GateServer(GateConfig config, RouteTable routes, GateRegistry registry, Producer<String, byte[]> producer,
            Topics topics, TokenCodec tokens, ActiveSessions activeSessions, Clock clock, MeterRegistry meters) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(tokens, "tokens");

        this.clients = new ClientConnections(config.gateId(), config.maxConnections(),
                config.limits().maxUnauthenticatedPerAddress(), clock);
        this.bus = new KafkaSend(producer, config.limits().publishBufferBytes(), "gate-publish-" + config.gateId());
        this.sessionRoutes = new SessionRoutes(sessions, routes, clock,
                new PresenceEvents(new KafkaUpstreamPublisher(bus, topics.upstream()), clock));
        AtomicLong connectionIds = new AtomicLong();
        DuplicateSessionKicker kicker = new DuplicateSessionKicker(new KafkaPushTaskPublisher(bus, topics.push()));
        LoginServices login = new LoginServices(config.gateId(), config.loginTimeout(),
                (int) config.heartbeatInterval().toSeconds(), clock, tokens, connectionIds::incrementAndGet,
                sessionRoutes, kicker, config.devicePolicy(), activeSessions, new ServedApps(config.appIds()));
        this.routeRefresher = new RouteRefresher(config.gateId(), sessionRoutes, kicker);
        GateMetrics metrics = new GateMetrics(Objects.requireNonNull(meters, "meters"), config.gateId(), clients::count);
        this.clientPipeline = new ClientPipeline(config, clock, Ticker.system(),
                new KafkaUpstreamPublisher(bus, topics.upstream()), login, metrics);
        this.idleSweeper = new IdleSweeper(sessions, config.idleTimeout(), Ticker.system());
        this.hopLatencies = new HopLatencies(clock.millis());
        // read the certificate now: a bad file fails the gate before it binds anything
        this.tls = config.tls().enabled() ? TlsStage.of(ServerTls.load(config.tls()), config.gateId())
                : TlsStage.plaintext();
        this.registryPublisher = new RegistryPublisher(config.gateId(), registry, this::gateInfo);
    }

    /**
     * Binds the client TCP, WebSocket and internal ports and publishes this gate as ACTIVE.
     *
     * @return this
     * @throws IllegalStateException if already started or closed, if a port cannot be bound, or if the
     *                               registry does not accept the gate within 10 s; nothing stays bound
     */
    public synchronized GateServer start() {
        if (state != State.NEW) {
            throw new IllegalStateException("gate " + config.gateId() + " is " + state + "; a gate starts once");
        }
        bossGroup = config.transport().eventLoops(config.bossThreads(), new DefaultThreadFactory("gate-accept"));
        workerGroup = config.transport().eventLoops(config.workerThreads(), new DefaultThreadFactory("gate-io"));
        state = State.RUNNING;
        try {
            tcp = bind("gate.tcp-port", config.bindAddress(), config.tcpPort(), new TcpClientInitializer(clientPipeline, clients, tls));
            ws = bind("gate.ws-port", config.bindAddress(), config.wsPort(), new WebSocketClientInitializer(clientPipeline, clients,
                    config.wsPath(), config.maxFrameBytes(), tls));
            internal = bind("gate.internal-port", config.internalBind(), config.internalPort(),
                    new InternalPushInitializer(config.gateId(), config.internalMaxFrameBytes(),
                            new LinkProofs(config.clusterSecret()), config.internalHandshakeTimeout(),
                            config.internalIdleTimeout(),
                            () -> new GatePushHandler(config.gateId(), sessions, hopLatencies, clock), routerChannels));
            await(registryPublisher.publishNow(), START_TIMEOUT, "publish the gate to the registry");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        registryPublisher.start(bossGroup.next(), config.registryRefresh());
        routeRefresher.start(bossGroup.next(), config.routeRefresh());
        idleSweeper.start(bossGroup.next());
        serving = true;
        LogIdentity.gate(log.atInfo(), config.gateId())
                .log("[gate={}] started: tcp {}:{}, ws {}:{}{}, internal {}:{} (cluster only); advertised as {};"
                + " client ports {}; apps {}, capacity {}, zone {}; transport {}", config.gateId(), config.bindAddress(),
                tcpPort(), config.bindAddress(), wsPort(), config.wsPath(), config.internalBind(), internalPort(),
                config.advertisedHost(), tls.enabled() ? "TLS (wss)" : "plaintext",
                config.appIds().isEmpty() ? "all" : new TreeSet<>(config.appIds()),
                config.effectiveCapacity(), config.zone().isEmpty() ? "none" : config.zone(),
                config.transport().resolve());
        return this;
    }

    /**
     * Graceful stop: stops accepting, removes the gate from the registry, unregisters the routes of its
     * sessions, closes every connection and shuts the event loops down. Each step waits at most 5 s; a
     * step that fails is logged and the next one runs. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasRunning = state == State.RUNNING;
        state = State.CLOSED;
        serving = false;
        if (!wasRunning) {
            bus.close();
            return;
        }
        GateDrainer d = drainer;
        if (d != null) {
            d.abandon(); // no-op once it ended; the connections still open are closed below
        }
        // one INFO line per step: the shutdown order is documented (docs/operations.md §5) and tested from the log
        registryPublisher.stop(CLOSE_STEP_TIMEOUT);
        routeRefresher.stop(CLOSE_STEP_TIMEOUT);
        idleSweeper.stop();
        LogIdentity.gate(log.atInfo(), config.gateId())
                .log("[gate={}] stop: registry publishing and route refresh stopped", config.gateId());
        for (Listener listener : new Listener[] {tcp, ws, internal}) {
            if (listener != null) {
                listener.channel().close().awaitUninterruptibly(CLOSE_STEP_TIMEOUT.toMillis());
            }
        }
        LogIdentity.gate(log.atInfo(), config.gateId())
                .log("[gate={}] stop: listeners closed (client TCP, WebSocket, internal)", config.gateId());
        if (closeStep(registry.remove(config.gateId()), "remove the gate from the registry")) {
            LogIdentity.gate(log.atInfo(), config.gateId())
                    .log("[gate={}] stop: removed from the gate registry", config.gateId());
        }
        // taken before the routes are released: releasing takes each session out of the table
        List<Session> loggedIn = List.copyOf(sessions.all());
        int sessionCount = loggedIn.size();
        if (closeStep(CompletableFuture.allOf(loggedIn.stream().map(sessionRoutes::release)
                .toArray(CompletableFuture[]::new)), "unregister the routes of " + sessionCount + " session(s)")) {
            LogIdentity.gate(log.atInfo(), config.gateId())
                    .log("[gate={}] stop: routes of {} session(s) unregistered", config.gateId(), sessionCount);
        }
        clients.closeAll(loggedIn).awaitUninterruptibly(CLOSE_STEP_TIMEOUT.toMillis());
        routerChannels.close().awaitUninterruptibly(CLOSE_STEP_TIMEOUT.toMillis());
        LogIdentity.gate(log.atInfo(), config.gateId())
                .log("[gate={}] stop: client connections and router connections closed", config.gateId());
        bus.close();
        long timeout = CLOSE_STEP_TIMEOUT.toMillis();
        var workersDone = workerGroup.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        var bossDone = bossGroup.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        workersDone.awaitUninterruptibly(timeout);
        bossDone.awaitUninterruptibly(timeout);
        LogIdentity.gate(log.atInfo(), config.gateId())
                .log("[gate={}] closed", config.gateId());
    }

    /**
     * Starts draining: republishes this gate as DRAINING (the LSB stops choosing it at its next registry
     * read), then writes RECONNECT to its sessions in paced batches ({@link GateDrainer}) until no client
     * connection is left or {@code settings.deadline()} passed. The gate keeps serving the connections
     * meanwhile. It does not close itself: the caller closes it when the future completes ({@link #close()}
     * closes what is still open). A second call returns the first drain's future.
     *
     * @param reason the RECONNECT reason clients log
     * @throws IllegalStateException if the gate is not running
     */
    public synchronized CompletableFuture<DrainReport> drain(DrainSettings settings, String reason) {
        Objects.requireNonNull(settings, "settings");
        if (drainer != null) {
            return drainer.done();
        }
        if (state != State.RUNNING) {
            throw new IllegalStateException("gate " + config.gateId() + " is " + state + "; only a running gate drains");
        }
        advertised = GateState.DRAINING;
        GateDrainer d = new GateDrainer(config.gateId(), sessions, clients::count, settings, clock, bossGroup.next());
        drainer = d;
        // RECONNECTs start lsbGrace after the DRAINING entry is written, so the LSBs have read it by then; a
        // failed publish is logged by the publisher and retried every refresh, and the drain goes on regardless
        registryPublisher.publishNow().whenComplete((ok, error) -> d.start(reason));
        return d.done();
    }

    /** ACTIVE, or DRAINING once {@link #drain} was called. */
    public GateState advertisedState() {
        return advertised;
    }

    /** RECONNECTs written by the drain so far (0 before one). */
    public int reconnectsSent() {
        GateDrainer d = drainer;
        return d == null ? 0 : d.told();
    }

    /**
     * Live = not a started gate whose listeners closed or whose event loops are wedged (each must run a
     * no-op task within {@code within}); true before start and after close, when there is nothing to
     * restart. Called from a health check thread, never from an event loop; waits at most
     * {@code within} per loop.
     */
    public boolean live(Duration within) {
        return !serving || serves(within);
    }

    /** Ready = started, every listener open, every event loop responsive within {@code within}. */
    public boolean ready(Duration within) {
        return serving && serves(within);
    }

    private boolean serves(Duration within) {
        for (Listener listener : new Listener[] {tcp, ws, internal}) {
            if (listener == null || !listener.channel().isOpen()) {
                return false;
            }
        }
        EventLoopGroup[] groups = {bossGroup, workerGroup};
        for (EventLoopGroup group : groups) {
            if (group == null) {
                return false;
            }
            for (io.netty.util.concurrent.EventExecutor loop : group) {
                if (!loop.submit(() -> { }).awaitUninterruptibly(within.toMillis())) {
                    LogIdentity.gate(log.atWarn(), config.gateId())
                            .log("[gate={}] event loop {} did not run a task within {}: wedged", config.gateId(), loop,
                            within);
                    return false;
                }
            }
        }
        return true;
    }

    /** The hop latencies of the traced frames this gate wrote (served as {@code GET /debug/hops}). */
    public HopLatencies hopLatencies() {
        return hopLatencies;
    }

    public String gateId() {
        return config.gateId();
    }

    public GateConfig config() {
        return config;
    }

    /** The bound client TCP port (the real one when configured as 0). */
    public int tcpPort() {
        return portOf(tcp, "tcp");
    }

    /** The bound client WebSocket port. */
    public int wsPort() {
        return portOf(ws, "ws");
    }

    /** The WebSocket upgrade path ({@code gate.ws-path}). */
    public String wsPath() {
        return config.wsPath();
    }

    /** The bound internal push port. */
    public int internalPort() {
        return portOf(internal, "internal");
    }

    /** Open client connections, logged in or not. */
    public int connectionCount() {
        return clients.count();
    }

    /** Logged-in sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    private GateInfo gateInfo() {
        return new GateInfo(config.gateId(), config.advertisedHost(), tcpPort(), wsPort(), internalPort(),
                clients.count(), advertised, config.appIds(), config.grayTag(), clock.millis(), config.wsPath(),
                tls.enabled(), config.effectiveCapacity(), config.zone());
    }

    private Listener bind(String setting, String address, int port, ChannelInitializer<SocketChannel> initializer) {
        ChannelFuture bound = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(config.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, receiveBuffers)
                .childHandler(initializer)
                .bind(address, port)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("gate " + config.gateId() + " could not bind " + setting + "=" + port
                    + " on " + address + ": " + bound.cause().getMessage()
                    + "; free the port or configure another", bound.cause());
        }
        return new Listener(bound.channel(), ((InetSocketAddress) bound.channel().localAddress()).getPort());
    }

    private int portOf(Listener bound, String listener) {
        if (bound == null) {
            throw new IllegalStateException("gate " + config.gateId() + " has no " + listener
                    + " listener bound; call start() first");
        }
        return bound.port();
    }

    private void await(CompletableFuture<?> future, Duration timeout, String what) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("gate " + config.gateId() + " was interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("gate " + config.gateId() + " could not " + what + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("gate " + config.gateId() + " could not " + what + " within "
                    + timeout.toMillis() + " ms", e);
        }
    }

    /** Waits for one step of {@link #close}; true when it completed, false (logged) when it failed or timed out. */
    private boolean closeStep(CompletableFuture<?> future, String what) {
        try {
            await(future, CLOSE_STEP_TIMEOUT, what);
            return true;
        } catch (IllegalStateException e) {
            LogIdentity.gate(log.atWarn(), config.gateId())
                    .log("[gate={}] during close: {}; going on with the shutdown", config.gateId(), e.getMessage(), e);
            return false;
        }
    }
}
