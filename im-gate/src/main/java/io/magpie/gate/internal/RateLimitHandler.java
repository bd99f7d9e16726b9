package io.magpie.gate.internal;

import io.magpie.gate.GateLimits;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code rate-limit} stage of a logged-in connection (issue 8 point 3): every frame (and every
 * WebSocket ping, see {@link #admitPing()}) spends a token of the connection's frame budget, and SEND,
 * SYNC and PULL one of their own budget too ({@link GateLimits}). A frame over budget goes no further: it is answered with ERROR
 * {@code RATE_LIMITED} (retryable) whose {@code retry_after_ms} says when a token is there again.
 * More than {@code maxRefusals} refusals within {@code refusalWindow} is persistent abuse: the
 * connection gets a last RATE_LIMITED saying so and is closed. One user's flood thus costs the cluster
 * at most that user's budget; the shared SYNC/PULL backlog in logic is not theirs to fill.
 *
 * <p>One instance per connection, created at login; confined to the channel's event loop.
 */
public final class RateLimitHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RateLimitHandler.class);

    private final Session session;
    private final GateLimits limits;
    private final BudgetTexts texts;
    private final Ticker ticker;
    private final RequestBudget frames;
    private final RequestBudget sends;
    private final RequestBudget syncs;
    private final RequestBudget pulls;
    private long windowStartNanos;
    private int refusalsInWindow;
    private long refusedTotal;
    private boolean closed;
    private ChannelHandlerContext ctx;

    /**
     * The RATE_LIMITED wording of each budget, built once per gate and shared by its connections: the limits
     * never change, frames pass by the million, and four strings per connection were a fifth of an idle
     * connection's heap.
     */
    public record BudgetTexts(String frames, String sends, String syncs, String pulls) {
        public static BudgetTexts of(GateLimits limits) {
            return new BudgetTexts(budget("frames", limits.framesPerSecond(), "frame", limits.frameBurst()),
                    budget("sends", limits.sendsPerSecond(), "send", limits.sendBurst()),
                    budget("syncs", limits.syncsPerSecond(), "sync", limits.syncBurst()),
                    budget("pulls", limits.pullsPerSecond(), "pull", limits.pullBurst()));
        }
    }

    public RateLimitHandler(Session session, GateLimits limits, Ticker ticker) {
        this(session, limits, BudgetTexts.of(limits), ticker);
    }

    /** @param texts {@link BudgetTexts#of} these {@code limits}, shared by every connection of the gate */
    public RateLimitHandler(Session session, GateLimits limits, BudgetTexts texts, Ticker ticker) {
        this.session = Objects.requireNonNull(session, "session");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.texts = Objects.requireNonNull(texts, "texts");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.frames = budget(limits.framesPerSecond(), limits.frameBurst());
        this.sends = budget(limits.sendsPerSecond(), limits.sendBurst());
        this.syncs = budget(limits.syncsPerSecond(), limits.syncBurst());
        this.pulls = budget(limits.pullsPerSecond(), limits.pullBurst());
        this.windowStartNanos = ticker.nanoTime();
    }

    private static RequestBudget budget(int perSecond, int burst) {
        return perSecond == 0 ? null : new RequestBudget(perSecond, burst);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A WebSocket ping of this connection ({@link WebSocketPingHandler}, which answers it): spends a
     * token of the frame budget like any frame. Over budget it is refused like a frame (RATE_LIMITED,
     * counted toward closing the connection for abuse).
     *
     * @return whether the ping may be answered
     */
    boolean admitPing() {
        if (closed || ctx == null) {
            return false;
        }
        long now = ticker.nanoTime();
        long wait = take(frames, now);
        if (wait == 0) {
            return true;
        }
        refuse(ctx, 0, 0, "a WebSocket ping", now, wait, texts.frames());
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closed) {
            return; // closing for abuse: nothing more is done for this client
        }
        long now = ticker.nanoTime();
        long wait = take(frames, now);
        String budget = texts.frames();
        if (wait == 0) {
            RequestBudget own = switch (frame.knownCommand().orElse(Command.ERROR)) {
                // GROUP, REACT and EDIT are writes like SEND; PRESENCE is a read like PULL
                case SEND, GROUP, REACT, EDIT -> sends;
                case SYNC -> syncs;
                case PULL, PRESENCE -> pulls;
                default -> null;
            };
            wait = take(own, now);
            budget = own == sends ? texts.sends() : own == syncs ? texts.syncs() : texts.pulls();
        }
        if (wait == 0) {
            ctx.fireChannelRead(frame);
            return;
        }
        refuse(ctx, frame.requestId(), frame.command(), Command.nameOf(frame.command()), now, wait, budget);
    }

    /**
     * The budget as the RATE_LIMITED message states it (PROTOCOL.md §5): the rate and the burst with the
     * operator settings that set them, e.g. {@code 100 per second, bursts of 200 (gate.limits.sends-per-second,
     * gate.limits.send-burst)}.
     */
    static String budget(String plural, int perSecond, String singular, int burst) {
        return perSecond + " per second, bursts of " + burst + " (gate.limits." + plural + "-per-second=" + perSecond
                + ", gate.limits." + singular + "-burst=" + burst + ")";
    }

    private static long take(RequestBudget budget, long now) {
        return budget == null ? 0 : budget.take(now);
    }

    private void refuse(ChannelHandlerContext ctx, int requestId, int command, String what, long now, long waitNanos,
            String budget) {
        refusedTotal++;
        if (now - windowStartNanos >= limits.refusalWindow().toNanos()) {
            windowStartNanos = now;
            refusalsInWindow = 0;
        }
        long retryAfterMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
        if (++refusalsInWindow > limits.maxRefusals()) {
            closed = true;
            session.identify(log.atInfo())
                    .log("{} closing connection: {} requests over budget within gate.limits.refusal-window={} ms "
                    + "(gate.limits.max-refusals={}; {} refused in all)", session.logPrefix(), refusalsInWindow,
                    limits.refusalWindow().toMillis(), limits.maxRefusals(), refusedTotal);
            ctx.writeAndFlush(Frames.error(requestId, command, ErrorCode.RATE_LIMITED,
                    "more than " + limits.maxRefusals() + " requests over budget within "
                            + limits.refusalWindow().toMillis() + " ms; closing connection, reconnect later and "
                            + "resend after retry_after_ms", retryAfterMillis));
            ctx.close();
            return;
        }
        if (refusalsInWindow == 1) {
            session.identify(log.atDebug())
                    .log("{} over budget ({}); refusing with RATE_LIMITED", session.logPrefix(), budget);
        }
        ctx.writeAndFlush(Frames.error(requestId, command, ErrorCode.RATE_LIMITED,
                what + " over this connection's budget of " + budget + "; not processed, "
                        + "resend it after retry_after_ms=" + retryAfterMillis, retryAfterMillis));
    }
}
