package io.magpie.router.notify.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.registry.StorageException;
import io.magpie.bus.Backoff;
import io.magpie.bus.BatchHandler;
import io.magpie.bus.ConsumerLoop;
import io.magpie.protocol.proto.OfflineTask;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier worker's loop: the bus's {@link ConsumerLoop} on {@code offline}. Each polled batch is
 * planned (storage lookups), its notifications are sent with bounded retries, and its offsets are
 * committed once every notification was delivered or given up. A storage failure rewinds the batch
 * and polls it again after a backoff (nothing can be decided without the tokens); a record that is
 * not an {@code OfflineTask} is logged and skipped; transient Kafka errors are retried.
 *
 * <p>Lifecycle: {@link #run()} on a dedicated thread; {@link #shutdown()} from any thread stops
 * waiting between retries, leaves the unfinished batch uncommitted, closes the consumer and returns.
 */
public final class OfflineTaskConsumer implements Runnable {

    /** How long an idle poll waits. */
    public static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(OfflineTaskConsumer.class);

    private final ConsumerLoop<String, byte[]> loop;

    /**
     * @param stopping counted down by {@link #shutdown()}; the {@link NotificationSender.Pause} of the
     *                 sender should wait on it too, so a shutdown ends a retry wait at once
     */
    public OfflineTaskConsumer(Consumer<String, byte[]> consumer, String topic, NotificationPlanner planner,
            NotificationSender sender, Backoff storageBackoff, CountDownLatch stopping, Clock clock) {
        this.loop = new ConsumerLoop<>("offline", consumer, topic, new Handler(topic, planner, sender),
                storageBackoff, POLL_TIMEOUT, clock, stopping);
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
        loop.run();
    }

    /** Asks the loop to stop after (or, in a retry wait, during) the batch in flight. Any thread. */
    public void shutdown() {
        loop.shutdown();
    }

    /** The loop's health; {@code stallAfter} is how long without a poll makes it wedged. */
    public ConsumerLoop.Status status(Duration stallAfter) {
        return loop.status(stallAfter);
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return loop.awaitStopped(timeout);
    }

    private record Handler(String topic, NotificationPlanner planner, NotificationSender sender)
            implements BatchHandler<String, byte[]> {

        @Override
        public boolean handle(List<ConsumerRecord<String, byte[]>> batch) {
            List<OfflineTask> tasks = parse(batch);
            NotificationPlanner.Plan plan = planner.plan(tasks); // StorageException: rewound, retried
            NotificationSender.Outcome outcome = sender.sendAll(plan.notifications());
            if (outcome.abandoned()) {
                return false; // shut down in a retry wait: left uncommitted for the next owner
            }
            log.debug("[{}] batch of {} tasks: {} delivered, {} failed ({} dead tokens removed), {} without notifier,"
                            + " {} muted, {} users without token, {} recalled (+{} before a retry)", topic, tasks.size(),
                    outcome.delivered(), outcome.failed(), outcome.deadTokens(), outcome.skipped(), plan.mutedTasks(),
                    plan.tasksWithoutToken(), plan.recalledTasks(), outcome.recalled());
            return true;
        }

        @Override
        public boolean expected(Exception failure) {
            // MySQL down or slow: a warning; anything else (a bug, a non-retryable storage error) an error
            return failure instanceof StorageException storage && storage.retryable();
        }

        private List<OfflineTask> parse(List<ConsumerRecord<String, byte[]>> batch) {
            List<OfflineTask> tasks = new ArrayList<>(batch.size());
            for (ConsumerRecord<String, byte[]> r : batch) {
                try {
                    tasks.add(OfflineTask.parseFrom(r.value() == null ? new byte[0] : r.value()));
                } catch (InvalidProtocolBufferException e) {
                    log.error("[offline {}-{}@{}] record is not an OfflineTask and is skipped: {}", r.topic(),
                            r.partition(), r.offset(), e.getMessage());
                }
            }
            return tasks;
        }
    }
}
