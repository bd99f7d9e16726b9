package io.magpie.gate.internal;

import io.magpie.gate.GateLimits;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@value #NAME} stage of a WebSocket connection, in front of Netty's protocol handler: answers
 * WebSocket pings itself, so that they cost what frames cost. Netty's handler would answer every ping
 * with a pong written below every limit of ours, so a client that pings and never reads made the gate
 * queue pongs without end. Here a ping spends a token of the connection's frame budget (after login the
 * one {@link RateLimiter} keeps, with its RATE_LIMITED answers and its close on persistent abuse;
 * before login a budget of the same size of its own, whose exhaustion closes the connection with
 * RATE_LIMITED), and its pong is written from the end of the pipeline, so {@link SlowReaderGuard} counts
 * it against {@code gate.limits.max-outbound-bytes}, and only while the channel is writable: a pong to a
 * client that is not reading is dropped (the guard closes a connection that stays unwritable).
 *
 * <p>One instance per connection; confined to the channel's event loop.
 */
public final class WebSocketPingHandler extends ChannelInboundHandlerAdapter {

    /** The stage name, right in front of Netty's WebSocket protocol handler. */
    public static final String NAME = "ws-ping";

    private static final Logger log = LoggerFactory.getLogger(WebSocketPingHandler.class);

    private final GateLimits limits;
    private final Ticker ticker;
    /** Before login; null when {@code gate.limits.frames-per-second} is 0 (no frame budget). */
    private final RequestBudget beforeLogin;
    private final long[] beforeLoginState;
    private RateLimiter loggedIn;
    private boolean refused;
    private long dropped;

    /** @param budgets the gate's shared budgets: before login, pings spend a frame budget of the same rule */
    public WebSocketPingHandler(RateLimiter.Budgets budgets, Ticker ticker) {
        this.limits = budgets.limits();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.beforeLogin = budgets.frames();
        this.beforeLoginState = beforeLogin == null ? null : RequestBudget.fullBuckets(1);
    }

    /** From login on, pings spend the logged-in connection's frame budget. */
    void loggedIn(RateLimiter rateLimit) {
        this.loggedIn = Objects.requireNonNull(rateLimit, "rateLimit");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof PingWebSocketFrame ping)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!admit(ctx)) {
            ping.release();
            return;
        }
        if (!ctx.channel().isWritable()) {
            // the client is not reading what it already has; a pong more would only queue
            if (dropped++ == 0) {
                log.debug("[channel={}] dropping pongs while the client is not reading", ctx.channel().id()
                        .asShortText());
            }
            ping.release();
            return;
        }
        // from the tail, through slow-reader: a pong is output like any other
        ctx.channel().writeAndFlush(new PongWebSocketFrame(ping.content()));
    }

    private boolean admit(ChannelHandlerContext ctx) {
        if (refused) {
            return false;
        }
        if (loggedIn != null) {
            return loggedIn.admitPing();
        }
        if (beforeLogin == null) {
            return true;
        }
        long wait = beforeLogin.take(beforeLoginState, 0, ticker.nanoTime());
        if (wait == 0) {
            return true;
        }
        refused = true;
        long retryAfterMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999));
        String why = "more WebSocket pings before LOGIN than the frame budget allows (gate.limits.frames-per-second="
                + limits.framesPerSecond() + ", gate.limits.frame-burst=" + limits.frameBurst() + ")";
        log.info("[channel={} remote={}] {}; closing connection", ctx.channel().id().asShortText(),
                ctx.channel().remoteAddress(), why);
        ctx.channel().config().setAutoRead(false);
        // as RateLimiter does: the ERROR gets out to a client that reads, a client that does not is
        // closed all the same
        ctx.channel().writeAndFlush(Frames.error(0, 0, ErrorCode.RATE_LIMITED, why + "; closing connection, log in"
                + " first and ping less often", retryAfterMillis));
        ctx.channel().close();
        return false;
    }
}
