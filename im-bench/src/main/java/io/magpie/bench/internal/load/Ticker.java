package io.magpie.bench.internal.load;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task once a second on its own daemon thread (the progress line, timeout sweeps) until closed.
 * A task that throws is reported on stderr and keeps being scheduled: a broken progress line must not
 * stop a run silently, nor kill it.
 */
public final class Ticker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Ticker.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-ticker");
        t.setDaemon(true);
        return t;
    });

    public Ticker(Runnable everySecond) {
        timer.scheduleAtFixedRate(() -> {
            try {
                everySecond.run();
            } catch (RuntimeException e) {
                log.warn("[bench] the once-a-second task failed; the run goes on", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
