package io.magpie.client.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds one connection's requests back while the gate says it cannot take them (docs/PROTOCOL.md §5), so the
 * client does not hammer it. After {@link #pause}, nothing is written until the retry-after has passed. Then,
 * after a {@code RATE_LIMITED} (a token budget: the retry-after is when the next token is there), the waiting
 * requests go out one per retry-after in their original order; after a {@code SERVER_BUSY} (the gate's
 * requests in flight were at their cap: the retry-after is only when to try again) they all go at once, in
 * order, and the gate's own backpressure (it stops reading the connection) paces them. Paced one by one, a
 * sender faster than one request per second would never catch up. New requests queue behind waiting ones;
 * once nobody waits, requests are written at once again.
 *
 * <p>Written requests go to the sink; the pacer neither knows nor retries answers. One instance per
 * connection, confined to its event loop (the scheduler), like everything it calls.
 *
 * @param <T> a request; the order is the comparator's (the order the caller made them in)
 */
final class RequestPacer<T> {

    private final ScheduledExecutorService scheduler;
    private final Consumer<T> sink;
    private final PriorityQueue<T> waiting;
    /** When the next waiting request may go; null = not paused. */
    private ScheduledFuture<?> nextRelease;
    private long paceMillis;
    private boolean oneAtATime;

    RequestPacer(ScheduledExecutorService scheduler, Comparator<T> order, Consumer<T> sink) {
        this.scheduler = scheduler;
        this.waiting = new PriorityQueue<>(order);
        this.sink = sink;
    }

    /** Writes {@code request} now, or queues it while paused or while others wait. */
    void submit(T request) {
        if (nextRelease == null && waiting.isEmpty()) {
            sink.accept(request);
        } else {
            waiting.add(request);
        }
    }

    /**
     * Holds everything back for {@code retryAfter} (at least 1 ms) unless already held longer; afterwards the
     * waiting requests go one per {@code retryAfter} when {@code oneAtATime} (a token budget), else all at once.
     */
    void pause(Duration retryAfter, boolean oneAtATime) {
        long millis = Math.max(1, retryAfter.toMillis());
        paceMillis = millis;
        this.oneAtATime = oneAtATime;
        if (nextRelease != null) {
            if (nextRelease.getDelay(TimeUnit.MILLISECONDS) >= millis) {
                return;
            }
            nextRelease.cancel(false);
        }
        nextRelease = scheduler.schedule(this::release, millis, TimeUnit.MILLISECONDS);
    }

    /** Puts a refused request back in its place; it goes once the pause (which the caller set) is over. */
    void requeue(T request) {
        waiting.add(request);
        if (nextRelease == null) {
            nextRelease = scheduler.schedule(this::release, Math.max(1, paceMillis), TimeUnit.MILLISECONDS);
        }
    }

    /** Takes a waiting request out (its caller gave up); false when it was not waiting. */
    boolean remove(T request) {
        return waiting.remove(request);
    }

    /** True while requests are held back. */
    boolean paused() {
        return nextRelease != null;
    }

    /** The pace of the current (or last) pause: the latest retry-after the gate asked for. */
    Duration pace() {
        return Duration.ofMillis(paceMillis);
    }

    /** Stops pacing and hands back whatever was waiting (the connection closed). */
    List<T> drain() {
        if (nextRelease != null) {
            nextRelease.cancel(false);
            nextRelease = null;
        }
        List<T> all = new ArrayList<>(waiting);
        waiting.clear();
        return all;
    }

    private void release() {
        nextRelease = null;
        if (!oneAtATime) {
            // the sink may pause again (a new refusal): what is left then waits for that pause
            while (nextRelease == null && !waiting.isEmpty()) {
                sink.accept(waiting.poll());
            }
            return;
        }
        T next = waiting.poll();
        if (next == null) {
            return;
        }
        if (!waiting.isEmpty()) {
            nextRelease = scheduler.schedule(this::release, paceMillis, TimeUnit.MILLISECONDS);
        }
        sink.accept(next);
    }
}
