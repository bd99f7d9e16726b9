package io.magpie.gate.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's way onto the bus (issue 8 point 3): records are handed to the Kafka producer from one
 * thread of this object's own, never from an event loop, because {@code Producer.send} waits up to
 * {@code max.block.ms} when the producer's buffer is full or a topic's metadata is missing (Kafka down
 * or slow). At most {@code maxPendingBytes} of records (key and value) wait for that thread or for
 * Kafka's acknowledgement, gate-wide; a send beyond that fails at once with {@link Backlogged}, which
 * the caller answers with a retryable SERVER_BUSY. With that bound below the producer's
 * {@code buffer.memory} ({@link io.magpie.gate.GateProducers#config}), the producer's buffer never
 * fills from the gate's own records. One thread keeps the order of the sends.
 *
 * <p>Thread-safe. Does not own the producer; owns its thread: {@link #close()} once, after the
 * connections are closed.
 */
public final class KafkaSend implements AutoCloseable {

    /** The gate-wide bound on records waiting for the bus was reached: retry later. */
    public static final class Backlogged extends RuntimeException {
        Backlogged(String message) {
            super(message, null, false, false);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(KafkaSend.class);

    private final Producer<String, byte[]> producer;
    private final long maxPendingBytes;
    private final ExecutorService thread;
    private final AtomicLong pendingBytes = new AtomicLong();

    /**
     * @param maxPendingBytes bytes of records waiting for the send thread or Kafka, at most
     * @param threadName      name of the send thread
     */
    public KafkaSend(Producer<String, byte[]> producer, long maxPendingBytes, String threadName) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.maxPendingBytes = maxPendingBytes;
        // Unbounded queue, bounded by bytes above: each queued task holds one record at most.
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(threadName, true));
    }

    /**
     * Sends one record. Returns at once; the future fails with {@link Backlogged} when the gate-wide
     * bound is reached, and with the producer's error when {@code send} throws (serialization, waiting
     * longer than {@code max.block.ms}) or calls back with one, so the caller has one place to answer
     * the client.
     */
    public CompletableFuture<Void> send(String topic, String key, byte[] value) {
        long size = value.length + (key == null ? 0 : key.length());
        long pending = pendingBytes.addAndGet(size);
        if (pending > maxPendingBytes) {
            pendingBytes.addAndGet(-size);
            return CompletableFuture.failedFuture(new Backlogged("the bus is slow: " + (pending - size)
                    + " bytes of requests already wait for it, gate.limits.publish-buffer-bytes=" + maxPendingBytes));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> sendNow(topic, key, value, size, done));
        } catch (RejectedExecutionException e) {
            pendingBytes.addAndGet(-size);
            done.completeExceptionally(new IllegalStateException("the gate is shutting down; request not sent", e));
        }
        return done;
    }

    /** Bytes of records waiting for the send thread or Kafka now. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    private void sendNow(String topic, String key, byte[] value, long size, CompletableFuture<Void> done) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                pendingBytes.addAndGet(-size);
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            pendingBytes.addAndGet(-size);
            done.completeExceptionally(e);
        }
    }

    /** Stops the send thread after the records already handed in were given to the producer (5 s at most). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("gate bus sender: records still waiting after 5 s at shutdown ({} bytes); dropping them, "
                        + "their clients resend", pendingBytes.get());
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
