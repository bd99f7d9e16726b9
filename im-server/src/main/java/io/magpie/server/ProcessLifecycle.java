package io.magpie.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a role process alive until SIGTERM/SIGINT, then closes what it runs (gracefully, in reverse
 * start order) before the JVM exits.
 */
final class ProcessLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProcessLifecycle.class);

    private ProcessLifecycle() {
    }

    /**
     * Blocks until the JVM is asked to stop or {@code done} completes (a drained gate stopped); then
     * {@code resources} are closed first to last (a gate process passes {@link MagpieNode#stopGracefully()},
     * which drains its gate first).
     */
    static void runUntilStopped(String what, CompletableFuture<Void> done, AutoCloseable... resources) {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean(); // by a signal (the hook) or by a finished drain
        Thread hook = new Thread(() -> {
            if (stopping.compareAndSet(false, true)) {
                log.info("[{}] stopping (signal received)", what);
            }
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    log.warn("[{}] failed to stop {}", what, r.getClass().getSimpleName(), e);
                }
            }
            log.info("[{}] stopped", what);
            stopped.countDown();
        }, what + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        done.thenRun(() -> {
            // a drain the operator asked for: exit; one that SIGTERM started is ending in the hook already
            if (stopping.compareAndSet(false, true)) {
                log.info("[{}] the gate drained and stopped; exiting", what);
                Runtime.getRuntime().exit(0); // runs the hook above, which closes the rest
            }
        });
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
