package io.magpie.gate.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.Route;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-asserts the routes of this gate's live sessions every refresh interval (issue 4 point 7: Redis is
 * a cache). Routes lost with Redis data (FLUSHALL, a restart without persistence) are back within one
 * interval. Each round registers every session's route again, {@value #BATCH} registrations in flight
 * at a time (pipelined on the shared Redis connection), the next batch once those answered.
 *
 * <p>What a registration replaced tells what happened since the last round: nothing (the route was
 * lost and is now back), this connection (nothing changed), or another connection of the same device.
 * In the last case the newer login of the two (by {@link RouteOrder}) keeps the route: if that is the
 * other one, its route is written back and this session is kicked as for a duplicate login; if it is
 * this one, the other session is kicked. A session that ended while its registration was in flight
 * gets its route removed again, so a round never resurrects a closed connection.
 *
 * <p>When Redis fails, the round stops, one WARN is logged per outage (not per session) and the gate
 * keeps serving; the next round retries. Rounds never overlap: a tick during a round is skipped.
 * Thread-safe; rounds run on the Redis client's threads and never block.
 */
public final class RouteRefresher {

    /** Registrations in flight at once in a round. */
    static final int BATCH = 256;

    private static final Logger log = LoggerFactory.getLogger(RouteRefresher.class);

    /** What one round did. */
    public record Round(int sessions, int registered, int restored, int conflicts, Throwable failure) {

        boolean failed() {
            return failure != null;
        }
    }

    private final String gateId;
    private final SessionRoutes sessionRoutes;
    private final DuplicateSessionKicker kicker;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile boolean failing;
    private volatile CompletableFuture<Round> current = CompletableFuture.completedFuture(null);
    private volatile ScheduledFuture<?> task;

    public RouteRefresher(String gateId, SessionRoutes sessionRoutes, DuplicateSessionKicker kicker) {
        this.gateId = Objects.requireNonNull(gateId, "gateId");
        this.sessionRoutes = Objects.requireNonNull(sessionRoutes, "sessionRoutes");
        this.kicker = Objects.requireNonNull(kicker, "kicker");
    }

    /** Runs a round every {@code every} on {@code executor} (a tick only starts it) until {@link #stop}. */
    public void start(EventExecutor executor, Duration every) {
        long nanos = every.toNanos();
        task = executor.scheduleAtFixedRate(this::refreshNow, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the rounds and waits up to {@code wait} for one in progress, so routes a closing gate
     * unregisters are not registered again behind its back.
     */
    public void stop(Duration wait) {
        stopped = true;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        try {
            current.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate={}] the route refresh in progress did not end within {} ms of the stop; going on",
                    gateId, wait.toMillis(), e);
        }
    }

    /**
     * Starts a round now, unless one is running (then returns that one's future). The future never
     * fails: a Redis failure is in {@link Round#failure()}.
     */
    public CompletableFuture<Round> refreshNow() {
        if (stopped) {
            return CompletableFuture.completedFuture(new Round(0, 0, 0, 0, null));
        }
        if (!running.compareAndSet(false, true)) {
            LogIdentity.gate(log.atDebug(), gateId)
                    .log("[gate={}] route refresh still running; this tick is skipped", gateId);
            return current;
        }
        RoundRun run = new RoundRun(List.copyOf(sessionRoutes.sessions().all()));
        CompletableFuture<Round> round = run.batch(0).handle((ok, error) -> run.result(unwrap(error)));
        current = round;
        round.whenComplete((result, impossible) -> {
            running.set(false);
            report(result);
        });
        return round;
    }

    private void report(Round round) {
        if (round.failed()) {
            if (!failing) {
                failing = true;
                LogIdentity.gate(log.atWarn(), gateId)
                        .log("[gate={}] route refresh failed after {} of {} session(s): {}; the sessions stay served, "
                        + "routes lost in Redis meanwhile are retried every refresh (logged again when it works)",
                        gateId, round.registered(), round.sessions(), round.failure().toString());
            }
            return;
        }
        if (failing) {
            failing = false;
            LogIdentity.gate(log.atInfo(), gateId)
                    .log("[gate={}] route refresh works again: {} session route(s) re-registered, {} were missing",
                    gateId, round.registered(), round.restored());
        } else if (round.restored() > 0) {
            LogIdentity.gate(log.atInfo(), gateId)
                    .log("[gate={}] route refresh: {} of {} session route(s) were missing in Redis and are back",
                    gateId, round.restored(), round.sessions());
        }
    }

    /** The state of one round. */
    private final class RoundRun {
        final List<Session> sessions;
        final AtomicInteger registered = new AtomicInteger();
        final AtomicInteger restored = new AtomicInteger();
        final AtomicInteger conflicts = new AtomicInteger();

        RoundRun(List<Session> sessions) {
            this.sessions = sessions;
        }

        /** Registers sessions[from, from + BATCH), then the next batch; a failed batch ends the round. */
        CompletableFuture<Void> batch(int from) {
            if (stopped || from >= sessions.size()) {
                return CompletableFuture.completedFuture(null);
            }
            int to = Math.min(sessions.size(), from + BATCH);
            List<CompletableFuture<Void>> inFlight = new ArrayList<>(to - from);
            for (Session session : sessions.subList(from, to)) {
                if (isCurrent(session)) {
                    inFlight.add(sessionRoutes.register(session).thenAccept(replaced -> settle(session, replaced)));
                }
            }
            return CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .thenCompose(done -> batch(to));
        }

        private void settle(Session session, Optional<Route> replaced) {
            registered.incrementAndGet();
            Route mine = session.route();
            Route other = replaced.filter(route -> !route.sameConnection(mine)).orElse(null);
            if (!isCurrent(session)) {
                // It ended while we registered it: undo, giving the device's newer route back if we hid one.
                if (other != null) {
                    sessionRoutes.restore(other);
                } else {
                    sessionRoutes.unregister(session);
                }
                return;
            }
            if (replaced.isEmpty()) {
                restored.incrementAndGet();
                return;
            }
            if (other == null) {
                return;
            }
            conflicts.incrementAndGet();
            if (RouteOrder.newer(other, mine)) {
                // The device logged in again elsewhere and the kick has not reached us yet.
                sessionRoutes.restore(other);
                kicker.kickLocal(session, DuplicateSessionKicker.sameDevice(other.gateId()));
            } else if (!other.gateId().equals(gateId)) {
                kicker.kickRemote(other, session);
            } else {
                Session older = sessionRoutes.sessions().byConnection(other.connectionId());
                if (older != null && older.uid() == other.uid()) {
                    kicker.kickLocal(older, session.connectionId());
                }
            }
        }

        Round result(Throwable failure) {
            return new Round(sessions.size(), registered.get(), restored.get(), conflicts.get(), failure);
        }
    }

    private boolean isCurrent(Session session) {
        return sessionRoutes.sessions().byConnection(session.connectionId()) == session;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
