package io.magpie.logic.internal;

import io.magpie.das.bus.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5's loop: owns the KafkaConsumer of {@code upstream} (auto commit off) on its own thread.
 * Each turn: poll a batch and hand it to {@link UpstreamBatchProcessor} (the SENDs are stored and
 * their push tasks acknowledged by Kafka; its SYNC/PULL requests join the {@link QueryBacklog});
 * then let the {@link QueryStage} answer a bounded number of waiting queries, so reads never starve
 * writes; then commit what is done ({@link CommitPositions}: never past an unanswered query). A
 * failed batch is rewound (seek) and polled again after a backoff, so the consumer keeps polling and
 * stays in its group. When a partition is revoked, the seq cache is dropped (the new owner reloads
 * seqs from MySQL) and so are its waiting queries (the new owner replays them).
 *
 * <p>Lifecycle: {@link #run()} on a dedicated thread; {@link #shutdown()} from any thread lets the
 * batch in flight finish (including its commit), then the loop closes the consumer and returns.
 */
public final class UpstreamConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final UpstreamBatchProcessor processor;
    private final QueryStage queries;
    private final CommitPositions positions = new CommitPositions();
    private final MessageAssigner assigner;
    private final Backoff backoff;
    private final PartitionFences fences;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public UpstreamConsumer(Consumer<String, byte[]> consumer, String topic, UpstreamBatchProcessor processor,
            QueryStage queries, MessageAssigner assigner, Backoff backoff, PartitionFences fences) {
        this.consumer = consumer;
        this.topic = topic;
        this.processor = processor;
        this.queries = queries;
        this.assigner = assigner;
        this.backoff = backoff;
        this.fences = fences;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new SeqCacheReset());
            while (running) {
                ConsumerRecords<String, byte[]> polled;
                try {
                    // queries waiting: do not sit in poll, answer them
                    polled = consumer.poll(queries.backlog().isEmpty() ? POLL_TIMEOUT : Duration.ZERO);
                } catch (WakeupException e) {
                    break; // shutdown() woke us: nothing in flight
                }
                if (!polled.isEmpty()) {
                    handle(polled);
                }
                answerQueries();
                commitProgress();
            }
        } catch (RuntimeException e) {
            log.error("[{}] upstream consumer stopped by an unexpected error; no more messages are processed by"
                    + " this instance", topic, e);
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
        List<PendingQuery> waiting;
        try {
            waiting = processor.process(batch, queries.backlog().room());
        } catch (BatchRetryException e) {
            long delay = backoff.nextDelayMillis();
            log.warn("[{}] batch of {} records not done, retrying in {} ms: {}", topic, batch.size(), delay,
                    e.getMessage(), e);
            retryLater(polled, delay);
            return;
        } catch (RuntimeException e) {
            // a bug, not a storage fault: keep the partition (and the group membership) and retry slowly
            // rather than let one batch kill the consumer
            long delay = backoff.nextDelayMillis();
            log.error("[{}] batch of {} records failed unexpectedly, retrying in {} ms", topic, batch.size(), delay, e);
            retryLater(polled, delay);
            return;
        }
        backoff.reset();
        queries.backlog().addAll(waiting);
        nextOffsets(polled).forEach(positions::processed);
    }

    private void answerQueries() {
        try {
            queries.answerTurn();
        } catch (BatchRetryException e) {
            long delay = backoff.nextDelayMillis();
            log.warn("[{}] {}; retrying in {} ms", topic, e.getMessage(), delay, e);
            pause(delay);
        }
    }

    private void commitProgress() {
        Map<TopicPartition, OffsetAndMetadata> offsets = positions.toCommit(queries.backlog()::earliestOffset);
        if (!offsets.isEmpty() && commit(offsets)) {
            positions.committed(offsets);
        }
    }

    private boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            commitSync(offsets);
            return true;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved on: the new owner replays these records and dedupe answers them
            log.warn("[{}] committing offsets {} failed because the group rebalanced; the new owner will"
                    + " replay them", topic, offsets, e);
            return false;
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

    private static Map<TopicPartition, Long> nextOffsets(ConsumerRecords<String, byte[]> polled) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<String, byte[]>> records = polled.records(tp);
            offsets.put(tp, records.get(records.size() - 1).offset() + 1);
        }
        return offsets;
    }

    /** Asks the loop to stop after the batch in flight. Safe from any thread; returns at once. */
    public void shutdown() {
        running = false;
        stopping.countDown();
        consumer.wakeup();
    }

    /** Whether the loop has ended (shut down, or stopped by an unexpected error): nothing is consumed any more. */
    public boolean stopped() {
        return stopped.getCount() == 0;
    }

    /** Waits until the loop has closed its consumer. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private final class SeqCacheReset implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                // hand over what is done; unanswered queries stay uncommitted for the new owner
                commitProgress();
                forget(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            assigner.clear();
            int dropped = queries.backlog().dropPartitions(partitions);
            positions.forget(partitions);
            log.info("[{}] partitions revoked {}; seq cache cleared, {} waiting queries left to the new owner",
                    topic, partitions, dropped);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                // a partition we owned before may have been written by another owner meanwhile
                assigner.clear();
                fences.claim(partitions); // fencing token per partition: a stale owner's writes are refused from now on
                log.info("[{}] partitions assigned {}", topic, partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                forget(partitions); // no commit: the partitions belong to another member already
            }
        }
    }
}
