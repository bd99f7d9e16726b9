package io.magpie.gate.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.registry.ActiveSessions;
import io.magpie.registry.Route;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.InvalidTokenException;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.codec.ProtocolErrorHandler;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a connection in (ARCHITECTURE §2 step 3). The first frame must be LOGIN, and LOGIN_ACK must be
 * reached within the login timeout, or the connection gets an ERROR and is closed:
 * another command first -> WRONG_STATE; no LOGIN in time -> LOGIN_TIMEOUT; a token that is forged,
 * malformed or expired (verified locally, no round trip) -> INVALID_TOKEN; a token of an app this gate does
 * not serve, or without an app on a gate serving specific apps ({@link ServedApps}, checked locally before
 * anything else) -> APP_NOT_SERVED; a token whose device session
 * is no longer the current one (logged out, kicked, replaced by a newer login, password changed: one
 * asynchronous read of the shared session store, before anything is registered, so a revoked token
 * cannot kick the device's live session either) -> INVALID_TOKEN; the store unavailable -> SERVER_BUSY.
 *
 * <p>A valid token creates a {@link Session}, registers its route in the shared route table (async;
 * the continuation runs on this channel's event loop, reads are paused meanwhile and frames the
 * client pipelined behind LOGIN are replayed to the session stages after LOGIN_ACK), kicks the older
 * session of the same device (here or on another gate), applies the device policy (with
 * ONE_PER_PLATFORM_CLASS the user's routes are read in the same round trip; an older session of the
 * same class on another device is kicked, or this login if a newer one is there), answers LOGIN_ACK and
 * replaces itself with the session stages.
 *
 * <p>The last stage before login, so it answers exceptions ({@link ProtocolErrorHandler}: ERROR, and a close
 * when fatal); the session stage does after login.
 *
 * <p>One instance per connection; all state is confined to the channel's event loop.
 */
public final class LoginHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(LoginHandler.class);
    /** Frames a client may pipeline behind LOGIN before LOGIN_ACK; reads are paused, so few arrive. */
    static final int MAX_PIPELINED_FRAMES = 64;

    private enum State { AWAITING_LOGIN, CHECKING_SESSION, REGISTERING, DONE, FAILED }

    private final LoginServices services;
    private final SessionStages sessionStages;
    private final String transport;
    private final GateMetrics metrics;
    private final List<Frame> pipelined = new ArrayList<>();
    private State state = State.AWAITING_LOGIN;
    private ScheduledFuture<?> deadline;
    private long connectedAtMillis;

    /**
     * @param sessionStages installs the logged-in stages in place of this handler
     * @param transport     "tcp" or "ws", for log lines
     */
    public LoginHandler(LoginServices services, SessionStages sessionStages, String transport) {
        this(services, sessionStages, transport, GateMetrics.none());
    }

    /** @param metrics counts each login by outcome */
    public LoginHandler(LoginServices services, SessionStages sessionStages, String transport, GateMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.services = Objects.requireNonNull(services, "services");
        this.sessionStages = Objects.requireNonNull(sessionStages, "sessionStages");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            startDeadline(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startDeadline(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProtocolErrorHandler.INSTANCE.exceptionCaught(ctx, cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        switch (state) {
            case AWAITING_LOGIN -> {
                if (frame.is(Command.LOGIN)) {
                    login(ctx, frame);
                } else {
                    fail(ctx, frame, ErrorCode.WRONG_STATE, "the first frame must be LOGIN, got "
                            + Command.nameOf(frame.command()) + "; closing connection");
                }
            }
            case CHECKING_SESSION, REGISTERING -> {
                if (pipelined.size() >= MAX_PIPELINED_FRAMES) {
                    fail(ctx, frame, ErrorCode.RATE_LIMITED, "more than " + MAX_PIPELINED_FRAMES
                            + " frames sent before LOGIN_ACK; wait for LOGIN_ACK; closing connection");
                } else {
                    pipelined.add(frame);
                }
            }
            // FAILED: the connection is closing, drop what is still arriving.
            // DONE cannot be seen: the handler is gone from the pipeline by then.
            default -> LogIdentity.gate(log.atDebug(), services.gateId()).log("{} dropped {} after a failed login", who(ctx),
                    frame);
        }
    }

    private void login(ChannelHandlerContext ctx, Frame frame) {
        LoginRequest request;
        try {
            request = LoginRequest.parseFrom(frame.body());
        } catch (InvalidProtocolBufferException e) {
            fail(ctx, frame, ErrorCode.BAD_REQUEST, "LOGIN body (" + frame.body().length
                    + " bytes) is not a LoginRequest: " + e.getMessage() + "; closing connection");
            return;
        }
        TokenClaims claims;
        try {
            claims = services.tokens().verify(request.getToken());
        } catch (InvalidTokenException e) {
            LogIdentity.gate(log.atInfo(), services.gateId()).log("{} login refused: {}", who(ctx), e.getMessage());
            fail(ctx, frame, ErrorCode.INVALID_TOKEN, "login token refused: " + e.getMessage()
                    + "; closing connection, log in over HTTP again for a new token");
            return;
        }
        Optional<String> notServed = services.servedApps().refusal(claims);
        if (notServed.isPresent()) {
            LogIdentity.device(log.atInfo(), services.gateId(), claims.uid(), claims.deviceId())
                    .log("{} uid={} device={} login refused: {}", who(ctx), claims.uid(), claims.deviceId(),
                    notServed.get());
            fail(ctx, frame, ErrorCode.APP_NOT_SERVED, notServed.get());
            return;
        }
        // Hold further input until the session stages exist; what already arrived is queued.
        ctx.channel().config().setAutoRead(false);
        if (!claims.boundToSession()) {
            register(ctx, frame, claims);
            return;
        }
        state = State.CHECKING_SESSION;
        services.activeSessions().status(claims.uid(), claims.deviceId(), claims.sessionId())
                .whenCompleteAsync((status, error) -> sessionChecked(ctx, frame, claims, status, unwrap(error)),
                        ctx.executor());
    }

    private void sessionChecked(ChannelHandlerContext ctx, Frame frame, TokenClaims claims, ActiveSessions.Status status,
            Throwable error) {
        if (state != State.CHECKING_SESSION || !ctx.channel().isActive()) {
            return; // deadline passed or the client left meanwhile
        }
        String prefix = who(ctx) + " uid=" + claims.uid() + " device=" + claims.deviceId();
        if (error != null) {
            LogIdentity.device(log.atWarn(), services.gateId(), claims.uid(), claims.deviceId())
                    .log("{} session check failed; closing connection", prefix, error);
            fail(ctx, frame, ErrorCode.SERVER_BUSY, "the login token could not be checked (session store unavailable: "
                    + error.getMessage() + "); closing connection, reconnect later");
            return;
        }
        if (status != ActiveSessions.Status.CURRENT) {
            String why = switch (status) {
                case LOGGED_OUT -> "its device session was logged out";
                case REPLACED -> "the device logged in again since, or its session was revoked";
                default -> "its device session is not current (revoked, expired, or not known to this cluster)";
            };
            LogIdentity.device(log.atInfo(), services.gateId(), claims.uid(), claims.deviceId())
                    .log("{} login refused: token of session {}: {}", prefix, claims.sessionId(), why);
            fail(ctx, frame, ErrorCode.INVALID_TOKEN, "login token refused: " + why + "; closing connection, refresh"
                    + " the token (POST /v1/sessions/refresh) or log in over HTTP again");
            return;
        }
        register(ctx, frame, claims);
    }

    private void register(ChannelHandlerContext ctx, Frame frame, TokenClaims claims) {
        Session session = new Session(services.connectionIds().getAsLong(), claims.uid(), claims.deviceId(),
                claims.platform(), services.gateId(), services.clock().millis(), ctx.channel(), claims.appId());
        long sessionId = claims.sessionId();
        state = State.REGISTERING;
        CompletableFuture<Optional<Route>> registration = services.sessionRoutes().register(session);
        // Issued right behind the registration on the same connection, so it sees our route and saves a
        // round trip; only needed when the device policy limits platform classes.
        CompletableFuture<List<Route>> userRoutes = services.devicePolicy().oneSessionPerPlatformClass()
                ? services.sessionRoutes().routesOf(session.uid())
                : CompletableFuture.completedFuture(null);
        registration.thenCompose(replaced -> userRoutes.handle((routes, lookupError) ->
                        new Registration(replaced, routes, unwrap(lookupError))))
                .whenCompleteAsync((registered, error) -> registered(ctx, frame, session, sessionId, registered,
                        unwrap(error)), ctx.executor());
    }

    /**
     * What the route table answered at login.
     *
     * @param replaced    the route of this device that the registration replaced
     * @param userRoutes  every route of the user after the registration; null when the policy needs none
     *                    or the lookup failed
     * @param lookupError why the lookup failed, or null
     */
    private record Registration(Optional<Route> replaced, List<Route> userRoutes, Throwable lookupError) {
    }

    private void registered(ChannelHandlerContext ctx, Frame login, Session session, long sessionId,
            Registration registration, Throwable error) {
        if (state != State.REGISTERING || !ctx.channel().isActive()) {
            // Deadline passed or the client left while Redis answered: the route must not outlive us.
            if (error == null) {
                services.sessionRoutes().unregister(session);
            }
            return;
        }
        if (error != null) {
            session.identify(log.atWarn())
                    .log("{} route registration failed; closing connection", session.logPrefix(), error);
            fail(ctx, login, ErrorCode.SERVER_BUSY, "the session could not be registered (route store unavailable: "
                    + error.getMessage() + "); closing connection, reconnect later");
            return;
        }
        Optional<Route> replaced = registration.replaced();
        long replacedHere = replaced.filter(r -> r.gateId().equals(services.gateId()))
                .map(Route::connectionId).orElse(0L);
        Session superseded = services.sessionRoutes().sessions().add(session, replacedHere);
        if (superseded == session) {
            // A newer login of this device on this gate finished registering first and replaced us.
            state = State.FAILED;
            Session newer = services.sessionRoutes().sessions().byDevice(session.uid(), session.deviceId());
            services.kicker().kickLocal(session, newer == null ? 0 : newer.connectionId());
            return;
        }
        try {
            loggedIn(ctx, login, session, sessionId, superseded, registration);
        } catch (RuntimeException e) {
            // the session is in the table and may have no session stage to end it: its close must
            session.identify(log.atError()).log("{} login failed after the session was registered; closing connection",
                    session.logPrefix(), e);
            releaseOnClose(session);
            fail(ctx, login, ErrorCode.INTERNAL, "internal server error while logging in; reconnect and log in again");
        }
    }

    /** The rest of a login whose session is in the table: kicks, the device policy, LOGIN_ACK, the session stage. */
    private void loggedIn(ChannelHandlerContext ctx, Frame login, Session session, long sessionId, Session superseded,
            Registration registration) {
        Optional<Route> replaced = registration.replaced();
        if (superseded != null) {
            services.kicker().kickLocal(superseded, session.connectionId());
        }
        replaced.filter(r -> !r.gateId().equals(services.gateId()))
                .ifPresent(older -> services.kicker().kickRemote(older, session));
        if (!applyDevicePolicy(session, registration)) {
            return;
        }

        cancelDeadline();
        state = State.DONE;
        metrics.loginOk();
        services.sessionRoutes().loggedIn(session);
        session.identify(log.atInfo())
                .log("{} logged in over {} platform={} after {} ms", session.logPrefix(), transport, session.platform(),
                session.loginAtMillis() - connectedAtMillis);
        ctx.write(Frames.of(Command.LOGIN_ACK, login.requestId(), LoginAck.newBuilder()
                .setUid(session.uid())
                .setDeviceId(session.deviceId())
                .setServerTime(services.clock().millis())
                .setHeartbeatSeconds(services.heartbeatSeconds())
                .setGateId(services.gateId())
                .build()));
        sessionStages.install(ctx.pipeline(), ctx.name(), session, sessionId);
        for (Frame frame : pipelined) {
            ctx.fireChannelRead(frame);
        }
        pipelined.clear();
        ctx.pipeline().remove(this);
        ctx.flush();
        ctx.channel().config().setAutoRead(true);
    }

    /**
     * One session per platform class, when configured: kicks the older sessions of this login's class
     * on other devices, or this login if a newer one of its class is already there.
     *
     * @return false if this login was kicked
     */
    private boolean applyDevicePolicy(Session session, Registration registration) {
        if (!services.devicePolicy().oneSessionPerPlatformClass()) {
            return true;
        }
        if (registration.lookupError() != null) {
            // Refusing logins because a read failed right after a write succeeded would turn a Redis
            // hiccup into an outage; the policy is a limit, not a guarantee that anything depends on.
            session.identify(log.atWarn())
                    .log("{} could not read the user's routes; the device policy is not applied to this login",
                    session.logPrefix(), registration.lookupError());
            return true;
        }
        PlatformSessionPolicy.Decision decision = PlatformSessionPolicy.decide(session.route(),
                registration.userRoutes());
        if (decision.newer().isPresent()) {
            Route newer = decision.newer().get();
            state = State.FAILED;
            cancelDeadline();
            pipelined.clear();
            releaseOnClose(session);
            services.kicker().kickLocal(session, policyReason(decision.platformClass(), newer.deviceId())
                    + " is already online (gate " + newer.gateId() + ")");
            return false;
        }
        for (Route older : decision.older()) {
            String why = policyReason(decision.platformClass(), session.deviceId()) + " logged in (gate "
                    + session.gateId() + ")";
            if (!older.gateId().equals(services.gateId())) {
                services.kicker().kickRemote(older, session, why);
                continue;
            }
            Session local = services.sessionRoutes().sessions().byConnection(older.connectionId());
            if (local != null && local.uid() == older.uid() && local.deviceId().equals(older.deviceId())) {
                services.kicker().kickLocal(local, why);
            }
            // else: that session already ended here; its close releases the route.
        }
        return true;
    }

    /**
     * A session in the table that never gets the session stage (whose {@link RouteRelease} ends it at close)
     * is ended by a close listener. A local, not a field: the listener must not keep this handler reachable.
     */
    private void releaseOnClose(Session session) {
        SessionRoutes routes = services.sessionRoutes();
        session.channel().closeFuture().addListener(f -> routes.release(session));
    }

    private static String policyReason(PlatformClass platformClass, String deviceId) {
        return "one session per platform class (gate.device-policy): a newer " + platformClass
                + " session of this user on device " + deviceId;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private void startDeadline(ChannelHandlerContext ctx) {
        if (deadline != null || state != State.AWAITING_LOGIN) {
            return;
        }
        connectedAtMillis = services.clock().millis();
        deadline = ctx.executor().schedule(() -> deadlinePassed(ctx), services.loginTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private void deadlinePassed(ChannelHandlerContext ctx) {
        long waited = services.clock().millis() - connectedAtMillis;
        if (state == State.AWAITING_LOGIN) {
            LogIdentity.gate(log.atInfo(), services.gateId())
                    .log("{} no LOGIN {} ms after connecting; closing connection", who(ctx), waited);
            fail(ctx, null, ErrorCode.LOGIN_TIMEOUT, "no LOGIN within " + services.loginTimeout().toMillis()
                    + " ms of connecting; closing connection");
        } else if (state == State.CHECKING_SESSION) {
            LogIdentity.gate(log.atWarn(), services.gateId()).log("{} login still checking its token's session {} ms"
                    + " after connecting; closing connection", who(ctx), waited);
            fail(ctx, null, ErrorCode.SERVER_BUSY, "login could not be completed within "
                    + services.loginTimeout().toMillis() + " ms (session check pending); closing connection, "
                    + "reconnect later");
        } else if (state == State.REGISTERING) {
            LogIdentity.gate(log.atWarn(), services.gateId()).log("{} login still registering its route {} ms after"
                    + " connecting; closing connection", who(ctx), waited);
            fail(ctx, null, ErrorCode.SERVER_BUSY, "login could not be completed within "
                    + services.loginTimeout().toMillis() + " ms (session registration pending); closing connection, "
                    + "reconnect later");
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Answers {@code about} (null: no request to answer) with an ERROR and closes the connection. */
    private void fail(ChannelHandlerContext ctx, Frame about, ErrorCode code, String message) {
        if (state != State.FAILED) {
            metrics.loginRefused(code);
        }
        state = State.FAILED;
        cancelDeadline();
        pipelined.clear();
        ctx.writeAndFlush(Frames.error(about == null ? 0 : about.requestId(), about == null ? 0 : about.command(),
                code, message)).addListener(ChannelFutureListener.CLOSE);
    }

    private String who(ChannelHandlerContext ctx) {
        return "[gate=" + services.gateId() + " channel=" + ctx.channel().id().asShortText() + " remote="
                + ctx.channel().remoteAddress() + "]";
    }
}
