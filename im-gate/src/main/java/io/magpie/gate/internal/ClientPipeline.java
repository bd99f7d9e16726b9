package io.magpie.gate.internal;

import io.magpie.gate.GateConfig;
import io.magpie.gate.GateLimits;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.ProtocolErrorHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Clock;
import java.util.Objects;

/**
 * The client stages TCP and WebSocket share after framing, built in one place so both transports
 * behave the same. Before login: {@value #FLUSH} (one flush per read burst), {@value #DECODER},
 * {@value #ENCODER}, {@value #FRAMES} (counts frames by command),
 * {@value #SLOW_READER} (bounds queued output, closes a client that does not read),
 * {@value #LOGIN} (which also closes a connection that does not log in within the login timeout),
 * {@value #ERRORS}; the channel gets the configured write buffer water marks. At login {@link LoginHandler}
 * replaces itself with {@code logout} ({@link LogoutHandler}: LOGOUT, and nothing after it), {@value #RATE_LIMIT}
 * (request budgets, and the time of the last frame the gate's {@link IdleSweeper} closes silent connections by),
 * {@value #UPSTREAM}, {@value #PUSH_ACK}, {@value #CONTROL} (PING, refusals of what no stage took);
 * {@value #PUSH_ACK} also keeps the connection's wait-ACK table (outbound PUSH frames until PUSH_ACK,
 * resends), and the connection leaves its address's unauthenticated count; a WebSocket
 * connection's pings spend the {@value #RATE_LIMIT} stage's frame budget from then on. Every stage is heap each
 * idle connection pays for (a pipeline context alone is 56 bytes; docs/benchmarks.md), so there are no more of
 * them than concerns. Thread-safe: holds only shared, thread-safe parts.
 */
public final class ClientPipeline implements SessionStages {

    public static final String FLUSH = "flush";
    public static final String DECODER = "frame-decoder";
    public static final String ENCODER = "frame-encoder";
    public static final String SLOW_READER = "slow-reader";
    public static final String LOGIN = "login";
    public static final String RATE_LIMIT = "rate-limit";
    public static final String UPSTREAM = "upstream";
    public static final String PUSH_ACK = "push-ack";
    public static final String CONTROL = "control";
    public static final String ERRORS = "errors";
    public static final String FRAMES = "frames";

    /** Writes without a flush in between that the consolidation stage merges before flushing anyway. */
    private static final int FLUSH_AFTER_WRITES = 256;

    private final GateConfig config;
    private final GateLimits limits;
    private final RateLimitHandler.Budgets budgets;
    private final Clock clock;
    private final Ticker ticker;
    private final UpstreamPublisher upstream;
    private final LoginServices loginServices;
    private final WaitAckTable.Settings waitAck;
    private final WriteBufferWaterMark waterMark;
    private final GateMetrics metrics;
    private final FrameMeter frameMeter;

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
        this.frameMeter = new FrameMeter(metrics);
        this.config = Objects.requireNonNull(config, "config");
        this.limits = config.limits();
        this.budgets = RateLimitHandler.Budgets.of(limits);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.loginServices = Objects.requireNonNull(loginServices, "loginServices");
        this.waitAck = new WaitAckTable.Settings(config.pushAckTimeout(), config.maxPushResends(),
                config.maxUnackedPushes(), limits.maxUnackedBytes());
        this.waterMark = new WriteBufferWaterMark(limits.writeBufferLowBytes(), limits.writeBufferHighBytes());
    }

    /** Adds every stage after framing to a new client connection's pipeline. */
    public void addClientStages(ChannelPipeline pipeline, String transport) {
        pipeline.channel().config().setWriteBufferWaterMark(waterMark);
        pipeline.addLast(FLUSH, new FlushConsolidationHandler(FLUSH_AFTER_WRITES, false));
        pipeline.addLast(DECODER, new FrameDecoder(config.maxFrameBytes()));
        pipeline.addLast(ENCODER, FrameEncoder.INSTANCE);
        pipeline.addLast(FRAMES, frameMeter);
        pipeline.addLast(SLOW_READER, new SlowReaderGuard(config.gateId(), limits.maxOutboundBytes(),
                limits.unwritableTimeout()));
        pipeline.addLast(LOGIN, new LoginHandler(loginServices, this, transport, metrics));
        pipeline.addLast(ERRORS, ProtocolErrorHandler.INSTANCE);
    }

    /** The {@value WebSocketPingHandler#NAME} stage of a new WebSocket connection. */
    public WebSocketPingHandler newPingHandler() {
        return new WebSocketPingHandler(budgets, ticker);
    }

    @Override
    public void install(ChannelPipeline pipeline, String after, Session session) {
        ClientConnections.loggedIn(pipeline.channel());
        if (pipeline.get(SLOW_READER) instanceof SlowReaderGuard guard) {
            guard.loggedIn(session);
        }
        RateLimitHandler rateLimit = new RateLimitHandler(session, budgets, ticker);
        pipeline.addAfter(after, RATE_LIMIT, rateLimit);
        if (pipeline.get(WebSocketPingHandler.NAME) instanceof WebSocketPingHandler pings) {
            pings.loggedIn(rateLimit);
        }
        pipeline.addAfter(RATE_LIMIT, UPSTREAM, new UpstreamHandler(session, upstream, clock,
                limits.maxInflightRequests()));
        pipeline.addAfter(UPSTREAM, PUSH_ACK, new PushAckHandler(session, waitAck, clock, ticker, metrics));
        pipeline.addAfter(PUSH_ACK, CONTROL, new ControlCommandHandler(session, clock));
    }
}
