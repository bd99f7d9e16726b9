package io.magpie.client.internal;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.codec.FrameDecodingException;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.Reconnect;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of one gate connection, last stage of the pipeline: sends LOGIN once the transport is
 * up (TCP connected, or WebSocket handshake done), completes {@link #loginFuture()} with LOGIN_ACK or
 * fails it with the ERROR, correlates answers with requests by request id (a per-connection counter),
 * hands PUSHes to {@link Events#onPush} and acknowledges all their messages with one PUSH_ACK after it
 * returned, and reports KICK (the gate closes after it), RECONNECT (the owner decides when to close),
 * unsolicited ERROR and close. Request ids come from one per-connection counter starting at 1, wrapping
 * within u32 and skipping 0 and ids still in flight (docs/PROTOCOL.md §3).
 *
 * <p>Requests are tracked by {@link OutstandingRequests}: one refused with {@code RATE_LIMITED} is resent
 * after the gate's {@code retry_after_ms} (bounded by the {@link RateLimitPolicy} and the request timeout),
 * and the connection's other requests are paced meanwhile. When the connection closes, the login (if
 * pending) and every request in flight or waiting fail with a retryable {@link ConnectionLostException}; a
 * request unanswered for the request timeout fails with {@link RequestTimeoutException}. The owner learns
 * why it closed ({@link Events#onClosed}): the gate's ERROR when that was the last frame before the close
 * (e.g. {@code SLOW_CONSUMER}), else the loss itself.
 *
 * <p>One instance per connection. Pipeline events run on the channel's event loop; {@link #request} may
 * be called from any thread.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {

    /** What the connection reports to its owner. Called on the event loop. */
    public interface Events {
        /** A PUSH arrived; deliver it. It is acknowledged after this returns. */
        void onPush(Push push);

        /** The server kicked the session; the connection closes next. */
        void onKick(Kick kick);

        /** A NOTICE arrived (read positions, receipts, recalls; docs/PROTOCOL.md §9.9-§9.10); nothing answers it. */
        default void onNotice(Notice notice) {
        }

        /** The server asked the client to move to another gate; this connection stays open meanwhile. */
        void onReconnectRequested(Reconnect reconnect);

        /** An ERROR not answering any pending request, or a malformed frame from the server. */
        void onServerError(MagpieErrorException error);

        /**
         * The connection is closed (after in-flight requests were failed).
         *
         * @param reason the gate's ERROR when it was the last frame read before the close (the gate writes
         *               one before closing for {@code SLOW_CONSUMER}, {@code INTERNAL}, abuse...), otherwise a
         *               {@link ConnectionLostException} saying what is known (an I/O error, a dead heartbeat)
         */
        void onClosed(MagpieException reason);
    }

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    public static final String IDLE_STAGE = "idle";
    public static final String HEARTBEAT_STAGE = "heartbeat";
    /** This many unanswered PINGs, then one more heartbeat without a read, means the connection is dead. */
    public static final int MISSED_HEARTBEATS = 3;

    private final LoginRequest login;
    private final boolean awaitWebSocketHandshake;
    private final Duration loginTimeout;
    private final Duration requestTimeout;
    private final Duration defaultHeartbeat;
    private final RateLimitPolicy rateLimits;
    private final Events events;
    private final CompletableFuture<LoginAck> loginFuture = new CompletableFuture<>();

    // Event-loop confined state.
    private volatile ChannelHandlerContext ctx;
    private OutstandingRequests requests;
    private boolean loginSent;
    private boolean loggedIn;
    private boolean closed;
    private Throwable failure;
    /** The gate's ERROR if it is the last frame read so far: the reason of a close that follows. */
    private MagpieErrorException lastFrameError;
    private ScheduledFuture<?> loginDeadline;
    private String who = "[client]";

    /**
     * @param loginTimeout from the TCP connection being up until LOGIN_ACK (WebSocket upgrade included)
     * @param defaultHeartbeat PING interval when LOGIN_ACK carries none
     */
    public ClientHandler(LoginRequest login, boolean awaitWebSocketHandshake, Duration loginTimeout,
                         Duration requestTimeout, Duration defaultHeartbeat, Events events) {
        this(login, awaitWebSocketHandshake, loginTimeout, requestTimeout, defaultHeartbeat,
                RateLimitPolicy.defaults(), events);
    }

    /** @param rateLimits how requests refused with RATE_LIMITED are resent */
    public ClientHandler(LoginRequest login, boolean awaitWebSocketHandshake, Duration loginTimeout,
                         Duration requestTimeout, Duration defaultHeartbeat, RateLimitPolicy rateLimits,
                         Events events) {
        this.login = login;
        this.awaitWebSocketHandshake = awaitWebSocketHandshake;
        this.loginTimeout = loginTimeout;
        this.requestTimeout = requestTimeout;
        this.defaultHeartbeat = defaultHeartbeat;
        this.rateLimits = rateLimits;
        this.events = events;
    }

    /** Completes with LOGIN_ACK; fails with the server's ERROR, a timeout or the connection's loss. */
    public CompletableFuture<LoginAck> loginFuture() {
        return loginFuture;
    }

    /**
     * Sends {@code command} with the next request id and completes with the body of the {@code answer}
     * carrying the same id; a {@code RATE_LIMITED} refusal is resent on its own (see the class comment).
     * Callable from any thread.
     */
    public <T> CompletableFuture<T> request(Command command, MessageLite body, Command answer, Parser<T> parser) {
        CompletableFuture<T> future = new CompletableFuture<>();
        ChannelHandlerContext c = ctx;
        if (c == null) {
            future.completeExceptionally(new ConnectionLostException("not connected; resend when connected"));
            return future;
        }
        if (c.executor().inEventLoop()) {
            doRequest(command, body, answer, parser, future);
        } else {
            try {
                c.executor().execute(() -> doRequest(command, body, answer, parser, future));
            } catch (RuntimeException rejected) {
                future.completeExceptionally(new ConnectionLostException(
                        "the client's event loop is shut down; the request was not sent", rejected));
            }
        }
        return future;
    }

    /**
     * Sends {@code command} with the next request id and expects no answer (TYPING); an ERROR the server sends
     * for it reaches the listeners' {@code onError}. Completes once written; callable from any thread.
     */
    public CompletableFuture<Void> sendOneWay(Command command, MessageLite body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ChannelHandlerContext c = ctx;
        if (c == null) {
            done.completeExceptionally(new ConnectionLostException("not connected; " + command + " not sent"));
            return done;
        }
        Runnable task = () -> {
            if (closed || !loggedIn) {
                done.completeExceptionally(new ConnectionLostException(who + " " + command + " not sent: the connection "
                        + (closed ? "is closed" : "is not logged in yet")));
                return;
            }
            c.writeAndFlush(new Frame(command, nextRequestId(), body.toByteArray())).addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(new ConnectionLostException(command + " not written: "
                            + f.cause().getMessage(), f.cause()));
                }
            });
        };
        try {
            c.executor().execute(task);
        } catch (RuntimeException rejected) {
            done.completeExceptionally(new ConnectionLostException("the client's event loop is shut down; " + command
                    + " was not sent", rejected));
        }
        return done;
    }

    /** Sends LOGOUT (the gate ends the session and closes; nothing answers it) and closes. Any thread. */
    public CompletableFuture<Void> logout() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ChannelHandlerContext c = ctx;
        if (c == null) {
            done.complete(null);
            return done;
        }
        Runnable task = () -> {
            if (loggedIn && !closed) {
                c.writeAndFlush(new Frame(Command.LOGOUT, nextRequestId(), new byte[0]));
            }
            c.close().addListener(f -> done.complete(null));
        };
        if (c.executor().inEventLoop()) {
            task.run();
            return done;
        }
        try {
            c.executor().execute(task);
        } catch (RuntimeException rejected) {
            c.channel().close();
            done.complete(null);
        }
        return done;
    }

    private <T> void doRequest(Command command, MessageLite body, Command answer, Parser<T> parser,
                               CompletableFuture<T> future) {
        if (closed || !loggedIn) {
            future.completeExceptionally(new ConnectionLostException(who + " " + command + " not sent: the connection "
                    + (closed ? "is closed" : "is not logged in yet") + "; resend when connected"));
            return;
        }
        requests.submit(command, body, answer, parser, future);
    }

    /** The next request id of this connection; event loop only. */
    int nextRequestId() {
        return requests.nextRequestId();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.who = "[ch=" + ctx.channel().id().asShortText() + "]";
        this.requests = new OutstandingRequests(ctx, requestTimeout, rateLimits, () -> who);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // The deadline covers a WebSocket upgrade that never completes as well as a missing LOGIN_ACK.
        loginDeadline = ctx.executor().schedule(() -> {
            if (!loginFuture.isDone()) {
                loginFuture.completeExceptionally(new RequestTimeoutException(who + " not logged in within "
                        + loginTimeout.toMillis() + " ms of connecting; closing and trying again later"));
                ctx.close();
            }
        }, loginTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!awaitWebSocketHandshake) {
            sendLogin(ctx);
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE && awaitWebSocketHandshake) {
            sendLogin(ctx);
        }
        super.userEventTriggered(ctx, evt);
    }

    private void sendLogin(ChannelHandlerContext ctx) {
        if (loginSent) {
            return;
        }
        loginSent = true;
        ctx.writeAndFlush(Frames.of(Command.LOGIN, nextRequestId(), login));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        lastFrameError = null;
        try {
            dispatch(ctx, frame);
        } catch (ProtocolException e) {
            log.warn("{} gate sent a malformed {}: {}", who, Command.nameOf(frame.command()), e.getMessage());
            events.onServerError(new MagpieErrorException(ErrorCode.BAD_REQUEST, "the gate sent a malformed "
                    + Command.nameOf(frame.command()) + ": " + e.getMessage(), false));
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Frame frame) {
        Command command = frame.knownCommand().orElse(null);
        if (command == null) {
            log.debug("{} ignoring {} from the gate (newer than this client)", who, frame);
            return;
        }
        switch (command) {
            case LOGIN_ACK -> onLoginAck(ctx, Frames.parse(frame, LoginAck.parser()));
            case ERROR -> onError(ctx, frame.requestId(), Frames.parse(frame, Error.parser()));
            case PUSH -> onPush(ctx, Frames.parse(frame, Push.parser()));
            case NOTICE -> {
                Notice notice = Frames.parse(frame, Notice.parser());
                if (loggedIn) {
                    events.onNotice(notice);
                } else {
                    log.debug("{} ignoring a NOTICE before LOGIN_ACK", who);
                }
            }
            case KICK -> {
                Kick kick = Frames.parse(frame, Kick.parser());
                log.info("{} kicked by the gate: {} {}", who, kick.getReason(), kick.getMessage());
                events.onKick(kick);
                ctx.close();
            }
            case RECONNECT -> {
                Reconnect reconnect = Frames.parse(frame, Reconnect.parser());
                log.info("{} gate asks to move in {} ms: {}", who, reconnect.getDelayMs(), reconnect.getReason());
                // Make before break: the owner opens the new connection and closes this one after it logged in.
                events.onReconnectRequested(reconnect);
            }
            case PONG -> {
                // Any read proves the connection alive; the idle handler has already seen it.
            }
            default -> onAnswer(frame, command);
        }
    }

    private void onLoginAck(ChannelHandlerContext ctx, LoginAck ack) {
        if (loggedIn) {
            log.debug("{} ignoring a second LOGIN_ACK", who);
            return;
        }
        loggedIn = true;
        cancel(loginDeadline);
        who = "[uid=" + ack.getUid() + " device=" + ack.getDeviceId() + " gate=" + ack.getGateId() + " ch="
                + ctx.channel().id().asShortText() + "]";
        long heartbeatSeconds = ack.getHeartbeatSeconds() > 0 ? ack.getHeartbeatSeconds()
                : Math.max(1, defaultHeartbeat.toSeconds());
        ctx.pipeline().addBefore(ctx.name(), IDLE_STAGE,
                new IdleStateHandler(heartbeatSeconds, heartbeatSeconds, 0, TimeUnit.SECONDS));
        ctx.pipeline().addBefore(ctx.name(), HEARTBEAT_STAGE, new HeartbeatHandler(heartbeatSeconds, who,
                this::nextRequestId));
        log.debug("{} logged in, heartbeat every {} s", who, heartbeatSeconds);
        loginFuture.complete(ack);
    }

    private void onError(ChannelHandlerContext ctx, int requestId, Error error) {
        MagpieErrorException ex = toException(error);
        lastFrameError = ex;
        if (!loggedIn) {
            log.info("{} login refused: {}", who, ex.toString());
            loginFuture.completeExceptionally(ex);
            ctx.close();
            return;
        }
        if (!requests.refuse(requestId, ex)) {
            log.info("{} gate reported {}", who, ex.toString());
            events.onServerError(ex);
        }
    }

    private void onPush(ChannelHandlerContext ctx, Push push) {
        if (!loggedIn) {
            log.debug("{} ignoring a PUSH before LOGIN_ACK", who);
            return;
        }
        events.onPush(push);
        PushAck.Builder ack = PushAck.newBuilder();
        for (Message m : push.getMessagesList()) {
            ack.addAcked(MessageRef.newBuilder().setConversationId(m.getConversationId()).setSeq(m.getSeq()));
        }
        // PUSH_ACK is a request of ours with its own id (it has no answer); flushed with everything
        // else at the end of this read (channelReadComplete).
        ctx.write(Frames.of(Command.PUSH_ACK, nextRequestId(), ack.build()));
    }

    private void onAnswer(Frame frame, Command command) {
        if (!requests.answer(frame, command)) {
            log.debug("{} ignoring unexpected {}", who, frame);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        if (cause instanceof FrameDecodingException) {
            log.warn("{} gate sent an invalid frame ({}); closing to reconnect", who, cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("{} connection error: {}", who, cause.toString());
        } else {
            log.warn("{} connection failed; closing", who, cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        cancel(loginDeadline);
        Throwable cause = lastFrameError != null ? lastFrameError : failure;
        String why = lastFrameError != null ? " (the gate's last frame: " + lastFrameError + ")"
                : failure == null ? "" : " (" + failure + ")";
        if (!loginFuture.isDone()) {
            loginFuture.completeExceptionally(new ConnectionLostException(who + " the gate closed the connection"
                    + " before LOGIN_ACK" + why + "; try again later", cause));
        }
        requests.closed(new ConnectionLostException(who + " connection to the gate lost" + why
                + " with the request in flight; resend it (same client msg id) once reconnected", cause));
        events.onClosed(lastFrameError != null ? lastFrameError
                : new ConnectionLostException(who + " connection to the gate closed" + why, failure));
        super.channelInactive(ctx);
    }

    private static MagpieErrorException toException(Error error) {
        ErrorCode code = ErrorCode.fromCode(error.getCode()).orElse(ErrorCode.INTERNAL);
        String message = error.getMessage().isBlank() ? code.name() : error.getMessage();
        return new MagpieErrorException(code, error.getCode(), message, error.getRetryable(),
                Duration.ofMillis(Math.max(0, error.getRetryAfterMs())));
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
