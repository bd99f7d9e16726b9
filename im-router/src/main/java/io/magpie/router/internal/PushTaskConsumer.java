package io.magpie.router.internal;

import io.magpie.das.bus.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 7's loop: owns the KafkaConsumer of {@code push} (auto commit off) on its own thread; polls a
 * batch, hands it to {@link PushDispatcher}, and commits the offsets only when the batch was
 * delivered. A failed batch is rewound (seek) and polled again after a backoff, so the consumer
 * keeps polling and stays in its group.
 *
 * <p>Lifecycle: {@link #run()} on a dedicated thread; {@link #shutdown()} from any thread lets the
 * batch in flight finish, then the loop closes the consumer and returns.
 */
public final class PushTaskConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PushTaskConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final PushDispatcher dispatcher;
    private final Backoff backoff;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public PushTaskConsumer(Consumer<String, byte[]> consumer, String topic, PushDispatcher dispatcher,
            Backoff backoff) {
        this.consumer = consumer;
        this.topic = topic;
        this.dispatcher = dispatcher;
        this.backoff = backoff;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, byte[]> polled;
                try {
                    polled = consumer.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    break;
                }
                if (!polled.isEmpty()) {
                    handle(polled);
                }
            }
        } catch (RuntimeException e) {
            log.error("[{}] push consumer stopped by an unexpected error; this router delivers nothing more",
                    topic, e);
        } finally {
            try {
                consumer.close();
            } finally {
                stopped.countDown();
            }
        }
    }

    private void handle(ConsumerRecords<String, byte[]> polled) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(polled.count());
        polled.forEach(batch::add);
        try {
            dispatcher.dispatch(batch);
        } catch (PushDeliveryException e) {
            long delay = backoff.nextDelayMillis();
            log.warn("[{}] batch of {} push tasks not delivered, retrying in {} ms: {}", topic, batch.size(), delay,
                    e.getMessage());
            retryLater(polled, delay);
            return;
        } catch (RuntimeException e) {
            // a bug: keep the partition and retry slowly rather than let one batch kill the consumer
            long delay = backoff.nextDelayMillis();
            log.error("[{}] batch of {} push tasks failed unexpectedly, retrying in {} ms", topic, batch.size(),
                    delay, e);
            retryLater(polled, delay);
            return;
        }
        backoff.reset();
        Map<TopicPartition, OffsetAndMetadata> offsets = nextOffsets(polled);
        try {
            commitSync(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the new owner of these partitions pushes them again; clients dedupe
            log.warn("[{}] committing offsets {} failed because the group rebalanced", topic, offsets, e);
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            // shutdown() raced with the batch in flight: wakeups are one-shot, finish the commit
            consumer.commitSync(offsets);
        }
    }

    /** Seeks back to the batch's first records, so the next poll returns them again, after a wait. */
    private void retryLater(ConsumerRecords<String, byte[]> polled, long delayMillis) {
        rewind(polled);
        pause(delayMillis);
    }

    private void rewind(ConsumerRecords<String, byte[]> polled) {
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition tp : polled.partitions()) {
            if (assigned.contains(tp)) {
                consumer.seek(tp, polled.records(tp).get(0).offset());
            }
        }
    }

    private void pause(long millis) {
        try {
            stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> polled) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<String, byte[]>> records = polled.records(tp);
            offsets.put(tp, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** Asks the loop to stop after the batch in flight. Safe from any thread; returns at once. */
    public void shutdown() {
        running = false;
        stopping.countDown();
        consumer.wakeup();
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
