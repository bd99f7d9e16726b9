package io.magpie.logic.internal;

import io.magpie.bus.Backoff;
import io.magpie.bus.BatchHandler;
import io.magpie.bus.ConsumerLoop;
import io.magpie.bus.Unfinished;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Objects;

/**
 * Step 5's loop: the bus's {@link ConsumerLoop} on {@code upstream}, with this class as its handler.
 * Each turn: poll a batch and hand it to {@link UpstreamBatchProcessor} (the SENDs are stored and
 * their push tasks sent; its SYNC/PULL requests join the {@link QueryBacklog}); Kafka's acks of those tasks
 * are the batch's {@link Unfinished} work, which the loop waits for after it stored the next batch;
 * then let the {@link QueryStage} answer a bounded number of waiting queries, so reads never starve
 * writes; then commit what is done, never past an unanswered query. A failed batch is rewound and
 * polled again after a backoff, so the consumer keeps polling and stays in its group; transient
 * Kafka errors are retried the same way. When a partition is revoked, the seq cache is dropped (the
 * new owner reloads seqs from MySQL) and so are its waiting queries (the new owner replays them).
 *
 * <p>Lifecycle: {@link #run()} on a dedicated thread; {@link #shutdown()} from any thread lets the
 * batch in flight finish (including its commit), then the loop closes the consumer and returns.
 */
public final class UpstreamConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamConsumer.class);
    /** How long an idle poll waits; the loop is wedged when no poll returned for many of these. */
    public static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final String topic;
    private final UpstreamBatchProcessor processor;
    private final QueryStage queries;
    private final MessageAssigner assigner;
    private final PartitionFences fences;
    private final ConsumerLoop<String, byte[]> loop;
    private final LogicMetrics metrics;

    public UpstreamConsumer(Consumer<String, byte[]> consumer, String topic, UpstreamBatchProcessor processor,
            QueryStage queries, MessageAssigner assigner, Backoff backoff, PartitionFences fences, Clock clock) {
        this(consumer, topic, processor, queries, assigner, backoff, fences, clock, LogicMetrics.none());
    }

    /** @param metrics records each batch's size and processing time */
    public UpstreamConsumer(Consumer<String, byte[]> consumer, String topic, UpstreamBatchProcessor processor,
            QueryStage queries, MessageAssigner assigner, Backoff backoff, PartitionFences fences, Clock clock,
            LogicMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.topic = topic;
        this.processor = processor;
        this.queries = queries;
        this.assigner = assigner;
        this.fences = fences;
        this.loop = new ConsumerLoop<>("upstream", consumer, topic, new Handler(), backoff, POLL_TIMEOUT, clock);
    }

    @Override
    public void run() {
        loop.run();
    }

    /** Asks the loop to stop after the batch in flight. Safe from any thread; returns at once. */
    public void shutdown() {
        loop.shutdown();
    }

    /** Whether the loop has ended (shut down, or stopped by a fatal error): nothing is consumed any more. */
    public boolean stopped() {
        return loop.stopped();
    }

    /** The loop's health; {@code stallAfter} is how long without a poll makes it wedged. */
    public ConsumerLoop.Status status(Duration stallAfter) {
        return loop.status(stallAfter);
    }

    /** Waits until the loop has closed its consumer. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return loop.awaitStopped(timeout);
    }

    private final class Handler implements BatchHandler<String, byte[]> {

        /** The acks of the batch handled last, until the loop asks for them. */
        private PushTaskPublisher.Acks acks;

        @Override
        public boolean handle(List<ConsumerRecord<String, byte[]>> batch) throws BatchRetryException {
            long start = System.nanoTime();
            UpstreamBatchProcessor.Outcome outcome = processor.process(batch, queries.backlog().room());
            queries.backlog().addAll(outcome.queries());
            acks = outcome.acks();
            metrics.batch(batch.size(), System.nanoTime() - start);
            return true;
        }

        @Override
        public Unfinished unfinished() {
            PushTaskPublisher.Acks pending = acks;
            acks = null;
            return pending == null || pending.isEmpty() ? null : pending::await;
        }

        @Override
        public void onRewound(Map<TopicPartition, Long> from) {
            // replayed from there: their queries come again with the records
            queries.backlog().dropFrom(from);
        }

        @Override
        public void afterPoll() throws BatchRetryException {
            queries.answerTurn();
        }

        @Override
        public Duration pollTimeout(Duration standard) {
            // queries waiting: do not sit in poll, answer them
            return queries.backlog().isEmpty() ? standard : Duration.ZERO;
        }

        @Override
        public OptionalLong commitCeiling(TopicPartition partition) {
            return queries.backlog().earliestOffset(partition);
        }

        @Override
        public void onRevoked(Collection<TopicPartition> partitions) {
            assigner.clear();
            int dropped = queries.backlog().dropPartitions(partitions);
            log.info("[{}] partitions revoked {}; seq cache cleared, {} waiting queries left to the new owner",
                    topic, partitions, dropped);
        }

        @Override
        public void onAssigned(Collection<TopicPartition> partitions) {
            // a partition we owned before may have been written by another owner meanwhile
            assigner.clear();
            fences.claim(partitions); // fencing token per partition: a stale owner's writes are refused from now on
        }
    }
}
