package io.magpie.gate.internal;

import io.magpie.gate.DrainReport;
import io.magpie.gate.DrainSettings;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frames;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.Reconnect;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a draining gate's clients away: after {@link DrainSettings#lsbGrace()} (so the LSBs have read the
 * DRAINING entry and send moving clients elsewhere), every {@link DrainSettings#TICK} it writes RECONNECT to the next
 * batch of logged-in sessions not told yet (at most {@code reconnects-per-second} per second), each with a
 * random {@code delay_ms} within the tick so one batch reaches the LSB spread out. Sessions that log in
 * during the drain are told in a later batch. The drain ends when no client connection is left, or at the
 * deadline; the caller then closes what is still open and stops the gate.
 *
 * <p>Runs on one event executor and never blocks it. Started once; {@link #told()} may be read from any
 * thread.
 */
public final class GateDrainer {

    private static final Logger log = LoggerFactory.getLogger(GateDrainer.class);

    private final String gateId;
    private final SessionTable sessions;
    private final IntSupplier openConnections;
    private final DrainSettings settings;
    private final Clock clock;
    private final EventExecutor executor;
    private final CompletableFuture<DrainReport> done = new CompletableFuture<>();
    /** Touched only on {@link #executor}. */
    private final Set<Long> toldConnections = new HashSet<>();
    private volatile int told;
    private double credit;
    private volatile long startedAt;
    private String reason;
    private volatile ScheduledFuture<?> task;

    /**
     * @param openConnections open client connections, logged in or not; the drain ends when it reaches 0
     * @param executor        the one thread that runs every batch
     */
    public GateDrainer(String gateId, SessionTable sessions, IntSupplier openConnections, DrainSettings settings,
                       Clock clock, EventExecutor executor) {
        this.gateId = Objects.requireNonNull(gateId, "gateId");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.openConnections = Objects.requireNonNull(openConnections, "openConnections");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Starts the batches.
     *
     * @param why the RECONNECT reason clients log
     * @return completes (never exceptionally) when no connection is left or the deadline passed
     */
    public CompletableFuture<DrainReport> start(String why) {
        if (done.isDone()) {
            return done; // abandoned before it started (the gate closed)
        }
        executor.execute(() -> {
            reason = why;
            startedAt = clock.millis();
            long tick = DrainSettings.TICK.toMillis();
            LogIdentity.gate(log.atInfo(), gateId)
                    .log("[gate={}] draining: {} connection(s), {} session(s); RECONNECT at most {}/s after {} (for the"
                    + " LSBs to see DRAINING); deadline {}", gateId, openConnections.getAsInt(), sessions.size(),
                    settings.reconnectsPerSecond(), settings.lsbGrace(), settings.deadline());
            task = executor.scheduleAtFixedRate(this::tick, settings.lsbGrace().toMillis(), tick, TimeUnit.MILLISECONDS);
        });
        return done;
    }

    /** RECONNECTs written so far. */
    public int told() {
        return told;
    }

    /** The drain's outcome once it ended. */
    public CompletableFuture<DrainReport> done() {
        return done;
    }

    /** The gate is closing before the drain ended: completes the drain with what is still open. Any thread. */
    public void abandon() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        int remaining = openConnections.getAsInt();
        done.complete(new DrainReport(gateId, startedAt, clock.millis() - startedAt, told, remaining));
    }

    /** One batch; the schedule calls it every tick (package-visible so tests can drive it). */
    void tick() {
        if (done.isDone()) {
            return;
        }
        try {
            long elapsed = clock.millis() - startedAt;
            if (openConnections.getAsInt() == 0) {
                finish(elapsed, 0);
                return;
            }
            if (elapsed >= settings.deadline().toMillis()) {
                finish(elapsed, openConnections.getAsInt());
                return;
            }
            tellNextBatch();
        } catch (RuntimeException e) {
            // a failed batch must not end the schedule: the next tick tries again
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate={}] drain batch failed; trying again in {}", gateId, DrainSettings.TICK, e);
        }
    }

    private void tellNextBatch() {
        credit = Math.min(credit + settings.reconnectsPerSecond() * (DrainSettings.TICK.toMillis() / 1000.0),
                Math.max(1.0, settings.reconnectsPerSecond() * (DrainSettings.TICK.toMillis() / 1000.0)));
        int batch = (int) credit;
        if (batch == 0) {
            return;
        }
        int sent = 0;
        for (Session session : sessions.all()) {
            if (sent == batch) {
                break;
            }
            if (!toldConnections.add(session.connectionId())) {
                continue;
            }
            int delayMs = ThreadLocalRandom.current().nextInt((int) DrainSettings.TICK.toMillis());
            Reconnect body = Reconnect.newBuilder().setReason(reason).setDelayMs(delayMs).build();
            session.channel().writeAndFlush(Frames.of(Command.RECONNECT, 0, body));
            sent++;
        }
        credit -= sent;
        told += sent;
    }

    private void finish(long elapsed, int remaining) {
        task.cancel(false);
        DrainReport report = new DrainReport(gateId, startedAt, elapsed, told, remaining);
        if (remaining == 0) {
            LogIdentity.gate(log.atInfo(), gateId)
                    .log("[gate={}] drained in {} ms: {} RECONNECT(s) sent, no connection left", gateId, elapsed, told);
        } else {
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate={}] drain deadline {} passed after {} RECONNECT(s): closing the {} connection(s) still"
                    + " open", gateId, settings.deadline(), told, remaining);
        }
        done.complete(report);
    }
}
