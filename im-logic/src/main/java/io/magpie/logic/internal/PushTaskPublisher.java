package io.magpie.logic.internal;

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
 * Step 6: produces a batch's push tasks to the {@code push} topic and waits until Kafka has
 * acknowledged every one (acks=all), so the caller commits upstream offsets only for work that
 * reached the bus. Used by one thread at a time.
 */
public final class PushTaskPublisher {

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Duration ackTimeout;

    public PushTaskPublisher(Producer<String, byte[]> producer, String topic, Duration ackTimeout) {
        this.producer = producer;
        this.topic = topic;
        this.ackTimeout = ackTimeout;
    }

    /** @throws BatchRetryException (retryable) when a task was not acknowledged in time or was refused */
    public void publishAll(List<OutgoingPush> pushes) throws BatchRetryException {
        if (pushes.isEmpty()) {
            return;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(pushes.size());
        try {
            for (OutgoingPush p : pushes) {
                acks.add(producer.send(new ProducerRecord<>(topic, p.key(), p.task().toByteArray())));
            }
            producer.flush();
            long deadline = System.nanoTime() + ackTimeout.toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatchRetryException("interrupted while waiting for Kafka to acknowledge " + pushes.size()
                    + " push tasks to " + topic, true, e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new BatchRetryException("Kafka did not acknowledge all " + pushes.size() + " push tasks to "
                    + topic + " within " + ackTimeout.toMillis() + " ms (" + cause + "); the batch will be retried",
                    true, cause);
        }
    }
}
