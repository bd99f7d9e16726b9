package io.magpie.router.notify.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.StorageException;
import io.magpie.protocol.proto.OfflineTask;
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
 * The notifier worker's loop: owns the KafkaConsumer of {@code offline} (auto commit off) on its own
 * thread; polls a batch, plans its notifications (storage lookups), sends them with bounded retries,
 * and commits the batch's offsets once every notification was delivered or given up. A storage
 * failure rewinds the batch and polls it again after a backoff (nothing can be decided without the
 * tokens); a record that is not an {@code OfflineTask} is logged and skipped.
 *
 * <p>Lifecycle: {@link #run()} on a dedicated thread; {@link #shutdown()} from any thread stops
 * waiting between retries, leaves the unfinished batch uncommitted, closes the consumer and returns.
 */
public final class OfflineTaskConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(OfflineTaskConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final NotificationPlanner planner;
    private final NotificationSender sender;
    private final Backoff storageBackoff;
    private final CountDownLatch stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    /**
     * @param stopping counted down by {@link #shutdown()}; the {@link NotificationSender.Pause} of the
     *                 sender should wait on it too, so a shutdown ends a retry wait at once
     */
    public OfflineTaskConsumer(Consumer<String, byte[]> consumer, String topic, NotificationPlanner planner,
            NotificationSender sender, Backoff storageBackoff, CountDownLatch stopping) {
        this.consumer = consumer;
        this.topic = topic;
        this.planner = planner;
        this.sender = sender;
        this.storageBackoff = storageBackoff;
        this.stopping = stopping;
    }

    /** A pause that waits on {@code stopping}: false once a shutdown was asked for. */
    public static NotificationSender.Pause pauseOn(CountDownLatch stopping) {
        return d -> {
            try {
                return !stopping.await(d.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
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
            log.error("[{}] notifier consumer stopped by an unexpected error; this worker notifies nothing more",
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
        List<OfflineTask> tasks = parse(polled);
        NotificationPlanner.Plan plan;
        try {
            plan = planner.plan(tasks);
        } catch (StorageException e) {
            long delay = storageBackoff.nextDelayMillis();
            if (e.retryable()) {
                log.warn("[{}] reading push tokens for {} offline tasks failed, retrying in {} ms: {}", topic,
                        tasks.size(), delay, e.getMessage());
            } else {
                log.error("[{}] reading push tokens for {} offline tasks failed (not retryable), retrying in {} ms",
                        topic, tasks.size(), delay, e);
            }
            rewind(polled);
            pause(delay);
            return;
        }
        storageBackoff.reset();
        NotificationSender.Outcome outcome = sender.sendAll(plan.notifications());
        if (outcome.abandoned()) {
            return;
        }
        log.debug("[{}] batch of {} tasks: {} delivered, {} failed, {} without notifier, {} muted, {} users"
                        + " without token", topic, tasks.size(), outcome.delivered(), outcome.failed(),
                outcome.skipped(), plan.mutedTasks(), plan.tasksWithoutToken());
        commit(nextOffsets(polled));
    }

    private List<OfflineTask> parse(ConsumerRecords<String, byte[]> polled) {
        List<OfflineTask> tasks = new ArrayList<>(polled.count());
        for (ConsumerRecord<String, byte[]> r : polled) {
            try {
                tasks.add(OfflineTask.parseFrom(r.value() == null ? new byte[0] : r.value()));
            } catch (InvalidProtocolBufferException e) {
                log.error("[offline {}-{}@{}] record is not an OfflineTask and is skipped: {}", r.topic(),
                        r.partition(), r.offset(), e.getMessage());
            }
        }
        return tasks;
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            try {
                consumer.commitSync(offsets);
            } catch (WakeupException e) {
                // shutdown() raced with the batch: wakeups are one-shot, finish the commit
                consumer.commitSync(offsets);
            }
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions' new owner notifies these tasks again: a repeat, never a loss
            log.warn("[{}] committing offsets {} failed because the group rebalanced", topic, offsets, e);
        }
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

    /** Asks the loop to stop after (or, in a retry wait, during) the batch in flight. Any thread. */
    public void shutdown() {
        running = false;
        stopping.countDown();
        consumer.wakeup();
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
