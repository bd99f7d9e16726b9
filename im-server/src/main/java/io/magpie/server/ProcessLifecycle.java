package io.magpie.server;

import java.util.concurrent.CountDownLatch;
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

    /** Blocks until the JVM is asked to stop; {@code resources} are closed first to last. */
    static void runUntilStopped(String what, AutoCloseable... resources) {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("[{}] stopping (signal received)", what);
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
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
