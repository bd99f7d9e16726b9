package io.magpie.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The one ordered stop of a role process. {@link #install} registers a single JVM shutdown hook;
 * what the process starts is {@link #add added} in start order and closed in reverse order when
 * the JVM stops, one after the other: in standalone the roles stop before the embedded servers they
 * use, never at the same time. SIGINT and SIGTERM are handled alike: both begin a normal exit with
 * status 0, which runs the hook; if anything failed to stop, the process exits with status 1.
 *
 * <p>Thread-safe; one instance per process, owned by the command that runs the roles.
 */
final class ProcessLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProcessLifecycle.class);

    private final String what;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>(); // guarded by this
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean(); // by a signal (the hook) or a finished drain

    private ProcessLifecycle(String what) {
        this.what = what;
    }

    /** Registers the shutdown hook and turns SIGINT/SIGTERM into an exit with status 0. */
    static ProcessLifecycle install(String what) {
        ProcessLifecycle lifecycle = new ProcessLifecycle(what);
        Runtime.getRuntime().addShutdownHook(new Thread(lifecycle::stop, what + "-shutdown"));
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    log.info("[{}] stopping (SIG{} received)", what, signal.getName());
                    // a new thread, as the JVM's own handler does: exit waits for the hook
                    new Thread(() -> System.exit(0), what + "-exit").start();
                });
            } catch (IllegalArgumentException e) {
                log.debug("[{}] SIG{} cannot be handled here ({}); the JVM's default applies", what, name,
                        e.getMessage());
            }
        }
        return lifecycle;
    }

    /** {@code resource} is closed on stop, before everything added earlier. */
    synchronized void add(AutoCloseable resource) {
        resources.push(resource);
    }

    /**
     * Ends the process (a normal exit, which runs the hook) when {@code done} completes: a gate an operator
     * drained over HTTP has stopped. A drain that SIGTERM started ends in the hook already.
     */
    void exitWhen(CompletableFuture<Void> done) {
        done.thenRun(() -> {
            if (stopping.compareAndSet(false, true)) {
                log.info("[{}] the gate drained and stopped; exiting", what);
                new Thread(() -> System.exit(0), what + "-exit").start();
            }
        });
    }

    /** Blocks until the JVM is asked to stop (the hook then closes what was added). */
    void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stop() {
        stopping.set(true);
        log.info("[{}] stopping", what);
        boolean failed = false;
        while (true) {
            AutoCloseable r;
            synchronized (this) {
                r = resources.poll();
            }
            if (r == null) {
                break;
            }
            try {
                r.close();
            } catch (Exception | Error e) {
                failed = true;
                log.warn("[{}] failed to stop {}; stopping the rest", what, r.getClass().getSimpleName(), e);
            }
        }
        log.info("[{}] stopped{}", what, failed ? " (with failures, exit status 1)" : "");
        stopped.countDown();
        if (failed) {
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }
}
