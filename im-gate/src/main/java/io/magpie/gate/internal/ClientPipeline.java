package io.magpie.gate.internal;

import io.magpie.gate.GateConfig;
import io.magpie.gate.GateLimits;
import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameCodec;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.ProtocolErrorHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The client stages TCP and WebSocket share after framing, built in one place so both transports
 * behave the same. Before login: {@value #CODEC} ({@link FrameCodec}: both directions, every frame shown to the
 * gate's {@link FrameMeter}), {@value #SLOW_READER} (bounds queued output, closes a client that does not read),
 * {@value #LOGIN} (which also closes a connection that does not log in within the login timeout, and answers
 * exceptions as {@link ProtocolErrorHandler}); the channel gets the configured write buffer water marks. At login
 * {@link LoginHandler} replaces itself with {@value #SESSION} ({@link SessionHandler}: one flush per read burst,
 * exceptions answered as before login), whose parts see each frame in this order:
 * {@link LogoutCommand} (LOGOUT, and nothing after it), {@link RateLimiter} (request budgets, and the time of the
 * last frame the gate's {@link IdleSweeper} closes silent connections by), {@link UpstreamForwarder},
 * {@link PushAcks} (PUSH_ACK, and the connection's wait-ACK table: outbound PUSH frames until PUSH_ACK, resends),
 * {@link ControlCommands} (PING, refusals of what no part took); {@link RouteRelease} ends the session when the
 * connection closes. The connection leaves its address's unauthenticated count; a WebSocket connection's pings
 * spend the {@link RateLimiter}'s frame budget from then on. Every stage is heap each idle connection pays for (a
 * pipeline context alone is 56 bytes; docs/benchmarks.md), so a logged-in connection has three. Thread-safe:
 * holds only shared, thread-safe parts.
 */
public final class ClientPipeline implements SessionStages {

    public static final String CODEC = "frame-codec";
    public static final String SLOW_READER = "slow-reader";
    public static final String LOGIN = "login";
    public static final String SESSION = "session";

    private final GateConfig config;
    private final GateLimits limits;
    private final RateLimiter.Budgets budgets;
    private final Ticker ticker;
    private final UpstreamForwarder.Settings upstreamSettings;
    private final LoginServices loginServices;
    private final PushAcks.Shared pushAcks;
    private final SlowReaderGuard.Limits slowReaders;
    private final WriteBufferWaterMark waterMark;
    private final GateMetrics metrics;
    /** The gate's frame meter as the observer of every connection's decoder: one object, not one per connection. */
    private final Consumer<Frame> framesIn;
    private final FrameEncoder encoder;
    private final ControlCommands controlCommands;
    private final RouteRelease routeRelease;

    public ClientPipeline(GateConfig config, Clock clock, UpstreamPublisher upstream, LoginServices loginServices) {
        this(config, clock, Ticker.system(), upstream, loginServices);
    }

    /**
     * @param clock  wall time: login times, server times, envelope receive times
     * @param ticker monotonic time of resends and request budgets
     */
    public ClientPipeline(GateConfig config, Clock clock, Ticker ticker, UpstreamPublisher upstream,
            LoginServices loginServices) {
        this(config, clock, ticker, upstream, loginServices, GateMetrics.none());
    }

    /** @param metrics the gate's meters: frames, logins, PUSH_ACK latency and resends */
    public ClientPipeline(GateConfig config, Clock clock, Ticker ticker, UpstreamPublisher upstream,
            LoginServices loginServices, GateMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        FrameMeter frameMeter = new FrameMeter(metrics);
        this.framesIn = frameMeter::in;
        this.encoder = new FrameEncoder(frameMeter::out);
        this.config = Objects.requireNonNull(config, "config");
        this.limits = config.limits();
        this.budgets = RateLimiter.Budgets.of(limits, ticker);
        Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.upstreamSettings = new UpstreamForwarder.Settings(upstream, clock, limits.maxInflightRequests());
        this.loginServices = Objects.requireNonNull(loginServices, "loginServices");
        this.controlCommands = new ControlCommands(clock);
        this.routeRelease = new RouteRelease(loginServices.sessionRoutes());
        this.pushAcks = new PushAcks.Shared(new WaitAckTable.Settings(config.pushAckTimeout(), config.maxPushResends(),
                config.maxUnackedPushes(), limits.maxUnackedBytes()), clock, ticker, metrics);
        this.slowReaders = new SlowReaderGuard.Limits(config.gateId(), limits.maxOutboundBytes(),
                limits.unwritableTimeout());
        this.waterMark = new WriteBufferWaterMark(limits.writeBufferLowBytes(), limits.writeBufferHighBytes());
    }

    /** Adds every stage after framing to a new client connection's pipeline. */
    public void addClientStages(ChannelPipeline pipeline, String transport) {
        pipeline.channel().config().setWriteBufferWaterMark(waterMark);
        pipeline.addLast(CODEC, new FrameCodec(config.maxFrameBytes(), framesIn, encoder));
        pipeline.addLast(SLOW_READER, new SlowReaderGuard(slowReaders));
        pipeline.addLast(LOGIN, new LoginHandler(loginServices, this, transport, metrics));
    }

    /** The {@value WebSocketPingHandler#NAME} stage of a new WebSocket connection. */
    public WebSocketPingHandler newPingHandler() {
        return new WebSocketPingHandler(budgets, ticker);
    }

    @Override
    public void install(ChannelPipeline pipeline, String after, Session session, long sessionId) {
        ClientConnections.loggedIn(pipeline.channel());
        if (pipeline.get(SLOW_READER) instanceof SlowReaderGuard guard) {
            guard.loggedIn(session);
        }
        RateLimiter rateLimit = new RateLimiter(session, budgets);
        pipeline.addAfter(after, SESSION, new SessionHandler(session,
                new LogoutCommand(sessionId, loginServices.activeSessions()),
                rateLimit,
                new UpstreamForwarder(upstreamSettings),
                new PushAcks(session, pushAcks),
                controlCommands,
                routeRelease));
        if (pipeline.get(WebSocketPingHandler.NAME) instanceof WebSocketPingHandler pings) {
            pings.loggedIn(rateLimit);
        }
    }
}
