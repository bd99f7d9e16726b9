package io.magpie.bench.internal.floor;

import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-off from one thread to another parked in {@link BlockingQueue#take()}, as between a gate's event
 * loop and its publish thread or a consumer loop and a producer's sender: the time from the offer to the
 * parked thread running.
 */
public final class HandOffProbe implements FloorProbe {

    private static final long ANSWER_TIMEOUT_SECONDS = 10;
    /** Tells the worker to end (a send time is never empty). */
    private static final OptionalLong STOP = OptionalLong.empty();

    private final BlockingQueue<OptionalLong> toWorker = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> fromWorker = new LinkedBlockingQueue<>();
    private final Thread worker;

    /** Starts the thread that takes the hand-offs. */
    public HandOffProbe() {
        worker = new Thread(this::work, "hop-floor-handoff");
        worker.setDaemon(true);
        worker.start();
    }

    private void work() {
        try {
            while (true) {
                OptionalLong sentAt = toWorker.take();
                if (sentAt.isEmpty()) {
                    return;
                }
                fromWorker.put(System.nanoTime() - sentAt.getAsLong());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String name() {
        return "thread_handoff";
    }

    @Override
    public String description() {
        return "offer to a LinkedBlockingQueue -> the thread parked in take() runs";
    }

    @Override
    public long sampleNanos() throws InterruptedException {
        toWorker.put(OptionalLong.of(System.nanoTime()));
        Long took = fromWorker.poll(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (took == null) {
            throw new IllegalStateException("the hand-off thread did not answer within " + ANSWER_TIMEOUT_SECONDS
                    + " s");
        }
        return took;
    }

    /** Whether the hand-off thread still runs (until {@link #close()}). */
    boolean running() {
        return worker.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        toWorker.put(STOP);
        worker.join(TimeUnit.SECONDS.toMillis(ANSWER_TIMEOUT_SECONDS));
    }
}
