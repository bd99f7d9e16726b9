package io.magpie.bench.internal.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs {@code count} asynchronous tasks with at most {@code parallelism} in flight, bounded in time;
 * the first failure stops new tasks and is rethrown with the task's index. Used for the set-up phases
 * (register, log in, connect), which must fail loudly rather than measure a half-built fleet.
 */
public final class BoundedAsync {

    private BoundedAsync() {
    }

    /**
     * @param what     names the phase in messages ("registering users")
     * @param progress called about once a second with the number done (may be null)
     * @return the results in index order
     * @throws IllegalStateException when a task failed (cause chained) or the deadline passed
     */
    public static <T> List<T> run(String what, int count, int parallelism, Duration deadline,
                                  IntFunction<CompletableFuture<T>> task, java.util.function.IntConsumer progress) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        List<T> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            results.add(null);
        }
        Semaphore permits = new Semaphore(parallelism);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long end = System.nanoTime() + deadline.toNanos();
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try {
            for (int i = 0; i < count && failure.get() == null; i++) {
                while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    checkDeadline(what, end, done.get(), count);
                    if (failure.get() != null) {
                        break;
                    }
                }
                if (failure.get() != null) {
                    permits.release();
                    break;
                }
                int index = i;
                CompletableFuture<T> f;
                try {
                    f = task.apply(index);
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                f.whenComplete((v, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        failure.compareAndSet(null, new IllegalStateException(what + ": item " + index + " failed: "
                                + cause.getMessage(), cause));
                    } else {
                        synchronized (results) {
                            results.set(index, v);
                        }
                    }
                    done.incrementAndGet();
                    permits.release();
                });
                if (progress != null && System.nanoTime() > nextProgress) {
                    progress.accept(done.get());
                    nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
            }
            // wait for the tail
            while (!permits.tryAcquire(parallelism, 100, TimeUnit.MILLISECONDS)) {
                checkDeadline(what, end, done.get(), count);
                if (progress != null && System.nanoTime() > nextProgress) {
                    progress.accept(done.get());
                    nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted after " + done.get() + " of " + count, e);
        }
        if (failure.get() != null) {
            Throwable t = failure.get();
            throw t instanceof IllegalStateException ise ? ise : new IllegalStateException(t.getMessage(), t);
        }
        if (progress != null) {
            progress.accept(done.get());
        }
        synchronized (results) {
            return new ArrayList<>(results);
        }
    }

    private static void checkDeadline(String what, long endNanos, int done, int count) {
        if (System.nanoTime() > endNanos) {
            throw new IllegalStateException(what + " did not finish in time: " + done + " of " + count
                    + " done; the server is too slow or unreachable (raise --setup-timeout, or lower the size)");
        }
    }
}
