package io.magpie.gate.internal;

import io.magpie.gate.GateLimits;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request budgets of a logged-in connection, the session part right after {@link LogoutCommand}: what its frames
 * may cost (issue 8 point 3). Every frame (and every WebSocket ping, see {@link #admitPing()}) spends a token
 * of the connection's frame budget, and SEND, SYNC and PULL one of their own budget too ({@link GateLimits}). A
 * frame over budget goes no further: it is answered with ERROR {@code RATE_LIMITED} (retryable) whose
 * {@code retry_after_ms} says when a token is there again. More than {@code maxRefusals} refusals within
 * {@code refusalWindow} is persistent abuse: the connection gets a last RATE_LIMITED saying so and is closed.
 * One user's flood thus costs the cluster at most that user's budget; the shared SYNC/PULL backlog in logic is
 * not theirs to fill. TYPING beyond its own budget (docs/PROTOCOL.md §9.15) is dropped without an answer: a
 * typing signal is transient and the next one carries the same news, so a client typing fast is not told off.
 *
 * <p>It also notes when the connection last sent anything, read by the gate's {@link IdleSweeper}: the
 * clock is read here for every frame anyway, and one sweep for the gate costs no timer per connection.
 *
 * <p>One instance per connection, created at login; confined to the channel's event loop, except
 * {@link #idleFor}, which any thread may call.
 */
public final class RateLimiter implements SessionPart {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    private static final int FRAMES = 0;
    private static final int SENDS = 1;
    private static final int SYNCS = 2;
    private static final int PULLS = 3;
    private static final int TYPING = 4;
    private static final int NONE = -1;

    private final Session session;
    private final Budgets budgets;
    /** The buckets' states (RequestBudget): fields, not an array or an object per bucket (heap per connection). */
    private long framesTat = RequestBudget.FULL;
    private long sendsTat = RequestBudget.FULL;
    private long syncsTat = RequestBudget.FULL;
    private long pullsTat = RequestBudget.FULL;
    private long typingTat = RequestBudget.FULL;
    private long windowStartNanos;
    private int refusalsInWindow;
    private int refusedTotal;
    /** A TYPING was dropped already (logged once per connection). */
    private boolean typingDropped;
    private boolean closed;
    private volatile long lastFrameNanos;

    /**
     * The budgets of a gate's connections and their RATE_LIMITED wording, built once per gate from its limits
     * and shared by its connections: the limits never change, frames pass by the million, and the rules and
     * strings per connection were a fifth of an idle connection's heap. Immutable.
     */
    public static final class Budgets {
        private final GateLimits limits;
        private final Ticker ticker;
        /** By FRAMES..TYPING; null where the per-second setting is 0 (no budget). */
        private final RequestBudget[] rules;
        private final String[] texts;

        private Budgets(GateLimits limits, Ticker ticker) {
            this.limits = Objects.requireNonNull(limits, "limits");
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            this.rules = new RequestBudget[] {rule(limits.framesPerSecond(), limits.frameBurst()),
                    rule(limits.sendsPerSecond(), limits.sendBurst()), rule(limits.syncsPerSecond(), limits.syncBurst()),
                    rule(limits.pullsPerSecond(), limits.pullBurst()),
                    rule(limits.typingPerSecond(), limits.typingBurst())};
            this.texts = new String[] {budget("frames", limits.framesPerSecond(), "frame", limits.frameBurst()),
                    budget("sends", limits.sendsPerSecond(), "send", limits.sendBurst()),
                    budget("syncs", limits.syncsPerSecond(), "sync", limits.syncBurst()),
                    budget("pulls", limits.pullsPerSecond(), "pull", limits.pullBurst()),
                    budget("typing", limits.typingPerSecond(), "typing", limits.typingBurst())};
        }

        /**
         * The budgets these limits set.
         *
         * @param ticker the monotonic time the budgets refill by
         */
        public static Budgets of(GateLimits limits, Ticker ticker) {
            return new Budgets(limits, ticker);
        }

        GateLimits limits() {
            return limits;
        }

        /** The frame budget's rule; null when there is none. */
        RequestBudget frames() {
            return rules[FRAMES];
        }

        private static RequestBudget rule(int perSecond, int burst) {
            return perSecond == 0 ? null : new RequestBudget(perSecond, burst);
        }
    }

    public RateLimiter(Session session, GateLimits limits, Ticker ticker) {
        this(session, Budgets.of(limits, ticker));
    }

    /** @param budgets {@link Budgets#of} the gate's limits, shared by every connection of the gate */
    public RateLimiter(Session session, Budgets budgets) {
        this.session = Objects.requireNonNull(session, "session");
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.windowStartNanos = budgets.ticker.nanoTime();
        this.lastFrameNanos = windowStartNanos;
    }

    /**
     * A WebSocket ping of this connection ({@link WebSocketPingHandler}, which answers it): spends a
     * token of the frame budget like any frame. Over budget it is refused like a frame (RATE_LIMITED,
     * counted toward closing the connection for abuse).
     *
     * @return whether the ping may be answered
     */
    boolean admitPing() {
        if (closed) {
            return false;
        }
        long now = budgets.ticker.nanoTime();
        lastFrameNanos = now;
        long wait = take(FRAMES, now);
        if (wait == 0) {
            return true;
        }
        refuse(session.channel(), 0, 0, "a WebSocket ping", now, wait, FRAMES);
        return false;
    }

    /** How long this connection has sent nothing (no frame, no WebSocket ping), at {@code nowNanos}; any thread. */
    long idleFor(long nowNanos) {
        return nowNanos - lastFrameNanos;
    }

    /**
     * Closes the connection if it still has sent nothing for {@code idleTimeout} (heartbeats missed); on the
     * event loop ({@link IdleSweeper} hands it there).
     */
    void closeIfIdle(Duration idleTimeout) {
        if (!closed && idleFor(budgets.ticker.nanoTime()) >= idleTimeout.toNanos()) {
            closed = true;
            session.identify(log.atInfo()).log("{} nothing received for {} ms (heartbeats missed); closing connection",
                    session.logPrefix(), idleTimeout.toMillis());
            session.channel().close();
        }
    }

    @Override
    public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
        if (closed) {
            return true; // closing for abuse or idleness: nothing more is done for this client
        }
        long now = budgets.ticker.nanoTime();
        lastFrameNanos = now;
        int budget = FRAMES;
        long wait = take(FRAMES, now);
        if (wait == 0) {
            budget = switch (frame.knownCommand().orElse(Command.ERROR)) {
                // GROUP, REACT and EDIT are writes like SEND; PRESENCE is a read like PULL
                case SEND, GROUP, REACT, EDIT -> SENDS;
                case SYNC -> SYNCS;
                case PULL, PRESENCE -> PULLS;
                case TYPING -> TYPING;
                default -> NONE;
            };
            wait = budget == NONE ? 0 : take(budget, now);
        }
        if (wait == 0) {
            return false;
        }
        if (budget == TYPING) {
            if (!typingDropped) {
                typingDropped = true;
                session.identify(log.atDebug())
                        .log("{} TYPING over the connection's budget: dropping such frames silently",
                                session.logPrefix());
            }
        } else {
            refuse(ctx, frame.requestId(), frame.command(), Command.nameOf(frame.command()), now, wait, budget);
        }
        return true;
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

    private long take(int budget, long now) {
        RequestBudget rule = budgets.rules[budget];
        if (rule == null) {
            return 0;
        }
        long wait = rule.waitNanos(tat(budget), now);
        if (wait == 0) {
            switch (budget) {
                case FRAMES -> framesTat = rule.taken(framesTat, now);
                case SENDS -> sendsTat = rule.taken(sendsTat, now);
                case SYNCS -> syncsTat = rule.taken(syncsTat, now);
                case PULLS -> pullsTat = rule.taken(pullsTat, now);
                default -> typingTat = rule.taken(typingTat, now);
            }
        }
        return wait;
    }

    private long tat(int budget) {
        return switch (budget) {
            case FRAMES -> framesTat;
            case SENDS -> sendsTat;
            case SYNCS -> syncsTat;
            case PULLS -> pullsTat;
            default -> typingTat;
        };
    }

    private void refuse(ChannelOutboundInvoker ctx, int requestId, int command, String what, long now, long waitNanos,
            int budget) {
        GateLimits limits = budgets.limits;
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
                    .log("{} over budget ({}); refusing with RATE_LIMITED", session.logPrefix(), budgets.texts[budget]);
        }
        // flushed with the rest of the read by the session stage
        ctx.write(Frames.error(requestId, command, ErrorCode.RATE_LIMITED,
                what + " over this connection's budget of " + budgets.texts[budget] + "; not processed, "
                        + "resend it after retry_after_ms=" + retryAfterMillis, retryAfterMillis));
    }
}
