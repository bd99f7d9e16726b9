package io.magpie.logic.internal;

import com.google.protobuf.CodedOutputStream;
import io.magpie.protocol.EpochMicros;
import io.magpie.protocol.proto.HopTrace;
import io.magpie.protocol.proto.PushTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Step 6: produces a batch's push tasks to the {@code push} topic; the caller commits upstream offsets only
 * once Kafka has acknowledged every one (acks=all), so only for work that reached the bus: at once
 * ({@link #publishAll}) or after storing the next batch ({@link #send}, then {@link Acks#await}). A traced
 * task ({@link OutgoingPush#receivedAtUs()} set) leaves with its {@code HopTrace}: the gate's receive time,
 * the batch's stamps and the moment it is handed to the producer. Used by one thread at a time.
 */
public final class PushTaskPublisher {

    /** The stamps logic adds to every traced task of one batch (µs since the epoch, 0 = unknown). */
    public record BatchStamps(long polledUs, long storedUs) {
        /** No stamps: the tasks leave without a trace. */
        public static final BatchStamps NONE = new BatchStamps(0, 0);
    }

    private static final int TRACE_FIELD = PushTask.TRACE_FIELD_NUMBER;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Duration ackTimeout;
    private final Clock clock;

    public PushTaskPublisher(Producer<String, byte[]> producer, String topic, Duration ackTimeout) {
        this(producer, topic, ackTimeout, Clock.systemUTC());
    }

    /** @param clock stamps {@code push_produced_us} */
    public PushTaskPublisher(Producer<String, byte[]> producer, String topic, Duration ackTimeout, Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.ackTimeout = ackTimeout;
        this.clock = clock;
    }

    /** Publishes without hop stamps. */
    public void publishAll(List<OutgoingPush> pushes) throws BatchRetryException {
        publishAll(pushes, BatchStamps.NONE);
    }

    /**
     * Produces the tasks and waits for their acks (the producer is flushed, so nothing lingers).
     *
     * @throws BatchRetryException (retryable) when a task was not acknowledged in time or was refused
     */
    public void publishAll(List<OutgoingPush> pushes, BatchStamps stamps) throws BatchRetryException {
        if (pushes.isEmpty()) {
            return;
        }
        Acks acks = send(pushes, stamps);
        try {
            producer.flush();
        } catch (org.apache.kafka.common.KafkaException e) {
            throw acks.failed(e);
        }
        acks.await();
    }

    /**
     * Hands the tasks to the producer without waiting for Kafka: the producer sends at once (no linger, see
     * {@code LogicConfig.batchLinger}) and keeps them in order per partition (idempotent) as long as none
     * fails; a batch that failed is replayed after later ones may have landed, and devices PULL the gap. The
     * caller waits on the returned acks before it treats the tasks as published; their deadline counts from now.
     *
     * @throws BatchRetryException (retryable) when the producer refused a task (its buffer stayed full)
     */
    public Acks send(List<OutgoingPush> pushes, BatchStamps stamps) throws BatchRetryException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(pushes.size());
        for (OutgoingPush p : pushes) {
            records.add(new ProducerRecord<>(topic, p.key(), bytes(p, stamps)));
        }
        List<Future<RecordMetadata>> futures = new ArrayList<>(pushes.size());
        Acks acks = new Acks(futures, System.nanoTime() + ackTimeout.toNanos());
        try {
            // encoded first, handed over back to back: the producer's sender, woken by the first, finds the
            // rest too and sends them in one request rather than one request after another
            for (ProducerRecord<String, byte[]> r : records) {
                futures.add(producer.send(r));
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new BatchRetryException("the producer refused push task " + (futures.size() + 1) + " of "
                    + records.size() + " to " + topic + " (" + e + "); the batch will be retried", true, e);
        }
        return acks;
    }

    /** Kafka's acknowledgements of the tasks one {@link #send} handed over. */
    public final class Acks {

        private final List<Future<RecordMetadata>> futures;
        private final long deadlineNanos;

        private Acks(List<Future<RecordMetadata>> futures, long deadlineNanos) {
            this.futures = futures;
            this.deadlineNanos = deadlineNanos;
        }

        /** Whether there is nothing to wait for. */
        public boolean isEmpty() {
            return futures.isEmpty();
        }

        /**
         * Waits until Kafka acknowledged every task, at most until the deadline set when they were sent.
         *
         * @throws BatchRetryException (retryable) when a task was not acknowledged in time or was refused
         */
        public void await() throws BatchRetryException {
            try {
                for (Future<RecordMetadata> ack : futures) {
                    ack.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BatchRetryException("interrupted while waiting for Kafka to acknowledge " + futures.size()
                        + " push tasks to " + topic, true, e);
            } catch (ExecutionException | TimeoutException e) {
                throw failed(e instanceof ExecutionException ? e.getCause() : e);
            }
        }

        private BatchRetryException failed(Throwable cause) {
            return new BatchRetryException("Kafka did not acknowledge all " + futures.size() + " push tasks to "
                    + topic + " within " + ackTimeout.toMillis() + " ms (" + cause + "); the batch will be retried",
                    true, cause);
        }
    }

    /**
     * The task's bytes; a traced one with its {@code trace} field appended. Protobuf merges a message field
     * that appears again at the end of the encoding, so appending it equals setting it, without copying a
     * task that may list hundreds of group members into a new builder.
     */
    private byte[] bytes(OutgoingPush p, BatchStamps stamps) {
        PushTask task = p.task();
        if (p.receivedAtUs() == 0 || stamps == BatchStamps.NONE) {
            return task.toByteArray();
        }
        HopTrace trace = HopTrace.newBuilder()
                .setGateReceivedUs(p.receivedAtUs())
                .setLogicPolledUs(stamps.polledUs())
                .setLogicStoredUs(stamps.storedUs())
                .setPushProducedUs(EpochMicros.now(clock))
                .build();
        byte[] out = new byte[task.getSerializedSize() + CodedOutputStream.computeMessageSize(TRACE_FIELD, trace)];
        CodedOutputStream stream = CodedOutputStream.newInstance(out);
        try {
            task.writeTo(stream);
            stream.writeMessage(TRACE_FIELD, trace);
            stream.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a push task into its own sized array failed", e);
        }
        return out;
    }
}
