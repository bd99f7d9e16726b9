package io.magpie.gate.internal;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the logged-in connections of a gate that have sent nothing for the idle timeout
 * ({@code gate.heartbeat} x {@code gate.max-missed-heartbeats}): one task for the whole gate, every sixth of the
 * timeout, reads when each session's {@link RateLimiter} last saw a frame, and hands the close of a silent
 * one to its event loop. A connection is thus closed between the timeout and a sixth more after its last frame.
 * Netty's per-connection {@code IdleStateHandler} did the same with a handler, a pipeline stage and a
 * scheduled task per connection, about 260 bytes of every idle connection's heap (docs/benchmarks.md).
 * Connections not logged in yet are the login timeout's. Thread-safe.
 */
public final class IdleSweeper {

    private static final Logger log = LoggerFactory.getLogger(IdleSweeper.class);

    private final SessionTable sessions;
    private final Duration idleTimeout;
    private final Ticker ticker;
    private ScheduledFuture<?> task;

    public IdleSweeper(SessionTable sessions, Duration idleTimeout, Ticker ticker) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** How often a sweep runs: a sixth of the idle timeout, at least every 100 ms. */
    public Duration period() {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(100), idleTimeout.toNanos() / 6));
    }

    /** Sweeps every {@link #period()} on {@code executor} until {@link #stop()}. */
    public synchronized void start(EventExecutor executor) {
        if (task == null) {
            long period = period().toNanos();
            task = executor.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        }
    }

    public synchronized void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /**
     * One sweep: every session silent for the idle timeout is closed on its event loop. A failure for one
     * session is logged and the sweep goes on: an exception out of a periodic task would end it for good.
     */
    void sweep() {
        long now = ticker.nanoTime();
        long timeout = idleTimeout.toNanos();
        sessions.forEach(session -> {
            try {
                Channel channel = session.channel();
                SessionHandler stage = channel.pipeline().get(SessionHandler.class);
                RateLimiter limiter = stage == null ? null : stage.part(RateLimiter.class);
                if (limiter != null && limiter.idleFor(now) >= timeout) {
                    channel.eventLoop().execute(() -> limiter.closeIfIdle(idleTimeout));
                }
            } catch (RuntimeException e) { // e.g. the event loop already shut down at close
                session.identify(log.atWarn()).log("{} idle check failed; the next sweep tries again",
                        session.logPrefix(), e);
            }
        });
    }
}
