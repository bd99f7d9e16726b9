package io.magpie.lsb.internal;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the gate registry every poll interval on its own single thread and hands the result to
 * the {@link GateSelector}, so HTTP requests never touch Redis. A failed read keeps the previous
 * view (gates do not vanish because Redis hiccuped) and makes the role unready once reads have
 * failed for longer than the readiness staleness.
 *
 * <p>Lifecycle: {@link #start()} reads once synchronously, then schedules; {@link #close()} stops.
 * Thread-safe.
 */
public final class RegistryPoller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryPoller.class);

    private final GateRegistry registry;
    private final GateSelector selector;
    private final Clock clock;
    private final Duration interval;
    private final Duration readTimeout;
    private final ScheduledExecutorService scheduler;
    private volatile long lastSuccessMillis = -1;
    /** Only the poll thread (or start(), before scheduling) writes this. */
    private boolean failing;

    public RegistryPoller(GateRegistry registry, GateSelector selector, Clock clock, Duration interval,
                          Duration readTimeout) {
        this.registry = registry;
        this.selector = selector;
        this.clock = clock;
        this.interval = interval;
        this.readTimeout = readTimeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lsb-registry-poll");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads the registry once (so the first request already sees the gates), then every interval. */
    public void start() {
        try {
            scheduler.submit(this::pollOnce).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the first gate registry read", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("first gate registry read crashed", e.getCause());
        }
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::pollOnce, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Time of the last successful read in the clock's millis, or -1 if none succeeded yet. */
    public long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    /** One read; never throws, so the schedule keeps running. Runs on the poll thread. */
    void pollOnce() {
        try {
            List<GateInfo> gates = registry.list().get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
            selector.update(gates);
            lastSuccessMillis = clock.millis();
            if (failing) {
                failing = false;
                log.info("[lsb] gate registry readable again: {} gate(s)", gates.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (!failing) {
                failing = true;
                log.warn("[lsb] gate registry read failed (timeout {} ms); keeping the last view of {} gate(s)"
                        + " and retrying every {} ms", readTimeout.toMillis(), selector.loads().size(),
                        interval.toMillis(), cause);
            } else {
                log.debug("[lsb] gate registry read still failing: {}", cause.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(readTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                log.warn("[lsb] gate registry poll thread did not stop within {} ms", readTimeout.toMillis() + 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
