package io.magpie.bus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one poll / handle / commit loop of every Magpie consumer (logic's {@code upstream}, router's
 * {@code push}, notifier's {@code offline}). It owns its {@link Consumer} (auto commit off) and runs
 * on a dedicated thread. Each turn: poll; hand a non-empty batch to the {@link BatchHandler}; let the
 * handler do its between-polls work; then commit what is done ({@link CommitPositions}, never past
 * the handler's ceiling) without waiting for the answer (in order, one outstanding at a time; synchronously on
 * revoke and at the end). Offsets are only ever committed after the work, so a crash replays.
 *
 * <p>A handler whose work outlives {@code handle} (logic waits for Kafka to acknowledge the push tasks it
 * produced) returns it as {@link BatchHandler#unfinished()}: the loop keeps that one batch in flight, polls
 * and handles the next batch, and only then waits for it (or at once when the next poll finds nothing).
 * A batch is committed past only when its work completed; when it failed, the loop rewinds it and the
 * batch handled after it, so both are polled again. At most one batch is in flight; a revoke, a loss and
 * the end of the loop wait for it first.
 *
 * <p>Failures never end the loop unless they are fatal: a failed batch is rewound (seek) and polled
 * again after a {@link Backoff}, so the consumer keeps polling and stays in its group; a
 * {@link RetriableException} from poll or commit (a {@code TimeoutException} while the group
 * coordinator moves, a broker that is down) is logged and retried after a backoff, the uncommitted
 * offsets being offered again; a commit refused because the group rebalanced is left to the new
 * owner, which replays. Only a non-retriable Kafka error (bad credentials, a fenced static member)
 * or an error in a rebalance hook ends the loop; {@link #status} then reports it so the role's health
 * check turns the process unhealthy.
 *
 * <p>On revoke the loop commits what is done, then calls the handler's hook and forgets the
 * partitions; on loss it skips the commit. Lifecycle: {@link #run()} once, on its own thread;
 * {@link #shutdown()} from any thread lets the batch in flight finish (including its commit), then
 * the loop closes the consumer and returns. {@link #status} is safe from any thread.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public final class ConsumerLoop<K, V> implements Runnable {

    /** What a health check learns about a loop. */
    public enum Status {
        /** Polled recently (or has not started polling yet). */
        POLLING,
        /** Still running, but has not returned from a poll for longer than the stall limit: wedged. */
        STALLED,
        /** Ended (shut down, or stopped by a fatal error): nothing is consumed any more. */
        ENDED
    }

    /**
     * How long without a returned poll makes a running loop {@link Status#STALLED} for the health
     * checks: longer than one batch can take while its storage calls time out and are retried
     * (MySQL socket timeout 30 s, Redis command timeout 2 s, push timeouts), far shorter than forever.
     */
    public static final Duration DEFAULT_STALL_LIMIT = Duration.ofSeconds(90);

    /** The last commit before the consumer closes waits at most this long (Kafka down at shutdown: go anyway). */
    private static final Duration FINAL_COMMIT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long an unanswered asynchronous commit holds the next one back; past it the next turn commits anyway (a
     * coordinator slow to answer must not stop the loop committing).
     */
    static final Duration COMMIT_PATIENCE = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);

    private final String name;
    private final Consumer<K, V> consumer;
    private final String topic;
    private final BatchHandler<K, V> handler;
    private final Backoff backoff;
    private final Duration pollTimeout;
    private final Clock clock;
    private final CountDownLatch stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CommitPositions positions = new CommitPositions();
    /** When each partition assigned since its last finished batch was assigned (clock millis): the hand-over's cost. */
    private final Map<TopicPartition, Long> assignedAt = new HashMap<>();
    /** The handled batch whose {@link Unfinished} work the loop has not waited for yet, with that work; or null. */
    private ConsumerRecords<K, V> inFlightBatch;
    private Unfinished inFlight;
    /** Asynchronous commits sent and not answered yet, and when the last of them was sent (clock millis). */
    private int commitsPending;
    private long lastCommitSentAt;
    private volatile boolean running = true;
    private volatile Instant lastPoll;

    /**
     * @param name        log prefix, e.g. {@code upstream}
     * @param consumer    a consumer of the role's group; the loop closes it
     * @param pollTimeout how long an idle poll waits (a stalled loop is measured against it)
     * @param clock       measures the time since the last poll
     * @param stopping    counted down by {@link #shutdown()}; a handler's own waits may use it too so a
     *                    shutdown ends them at once
     */
    public ConsumerLoop(String name, Consumer<K, V> consumer, String topic, BatchHandler<K, V> handler,
            Backoff backoff, Duration pollTimeout, Clock clock, CountDownLatch stopping) {
        this.name = Objects.requireNonNull(name, "name");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stopping = Objects.requireNonNull(stopping, "stopping");
        this.lastPoll = clock.instant();
    }

    /** A loop with its own stop latch. */
    public ConsumerLoop(String name, Consumer<K, V> consumer, String topic, BatchHandler<K, V> handler,
            Backoff backoff, Duration pollTimeout, Clock clock) {
        this(name, consumer, topic, handler, backoff, pollTimeout, clock, new CountDownLatch(1));
    }

    @Override
    public void run() {
        try {
            lastPoll = clock.instant();
            consumer.subscribe(List.of(topic), new Rebalances());
            while (running) {
                ConsumerRecords<K, V> polled;
                try {
                    // a batch in flight: take what is fetched already, or wait for that batch if nothing is
                    polled = consumer.poll(inFlight != null ? Duration.ZERO : handler.pollTimeout(pollTimeout));
                } catch (WakeupException e) {
                    break; // shutdown() woke us: a batch in flight is finished below
                } catch (RetriableException e) {
                    long delay = backoff.nextDelayMillis();
                    log.warn("[{}] polling {} failed, retrying in {} ms: {}", name, topic, delay, e.toString());
                    pause(delay);
                    continue;
                }
                lastPoll = clock.instant();
                if (!polled.isEmpty()) {
                    handle(polled);
                } else if (!finishInFlight(null)) {
                    pause(backoff.nextDelayMillis());
                }
                afterPoll();
                commitProgressAsync();
            }
            // hand over what is done before leaving the group; a failure here only means a longer replay
            finishInFlight(null);
            try {
                commitProgress(FINAL_COMMIT_TIMEOUT);
            } catch (KafkaException e) {
                log.warn("[{}] the last commit of {} before closing failed; the next owner replays from the last"
                        + " committed offsets: {}", name, topic, e.toString());
            }
        } catch (RuntimeException e) {
            log.error("[{}] consumer loop of {} stopped by an unrecoverable error; this instance consumes"
                    + " nothing more and reports itself unhealthy", name, topic, e);
        } finally {
            running = false;
            try {
                consumer.close();
            } catch (RuntimeException e) {
                log.warn("[{}] closing the consumer of {} failed", name, topic, e);
            } finally {
                stopped.countDown();
            }
        }
    }

    private void handle(ConsumerRecords<K, V> polled) {
        List<ConsumerRecord<K, V>> batch = new ArrayList<>(polled.count());
        polled.forEach(batch::add);
        boolean done;
        try {
            done = handler.handle(batch);
        } catch (Exception e) {
            long delay = backoff.nextDelayMillis();
            if (handler.expected(e)) {
                log.warn("[{}] batch of {} records not done, retrying in {} ms: {}", name, batch.size(), delay,
                        e.getMessage(), e);
            } else {
                // a bug, not a fault of storage or network: keep the partitions (and the group
                // membership) and retry slowly rather than let one batch end the loop
                log.error("[{}] batch of {} records failed unexpectedly, retrying in {} ms", name, batch.size(),
                        delay, e);
            }
            // the batch before this one first: it may be committed past, or it is polled again too
            if (finishInFlight(polled)) {
                rewind(polled);
            }
            pause(delay);
            return;
        }
        if (!done) {
            if (finishInFlight(polled)) {
                rewind(polled);
            }
            return;
        }
        Unfinished rest = handler.unfinished();
        if (!finishInFlight(polled)) {
            // this batch is polled again after the failed one (what it sent is sent again then)
            pause(backoff.nextDelayMillis());
            return;
        }
        backoff.reset();
        if (rest == null) {
            done(polled);
        } else {
            inFlightBatch = polled;
            inFlight = rest;
        }
    }

    /**
     * Waits for the batch in flight, if any. When its work completed, it is done (committed past on the next
     * turn); when it failed, it is rewound together with {@code after} (a batch handled after it, or null),
     * and the caller backs off unless it is a rebalance callback.
     *
     * @return false when the batch in flight failed
     */
    private boolean finishInFlight(ConsumerRecords<K, V> after) {
        if (inFlight == null) {
            return true;
        }
        ConsumerRecords<K, V> batch = inFlightBatch;
        Unfinished work = inFlight;
        inFlightBatch = null;
        inFlight = null;
        try {
            work.await();
        } catch (Exception e) {
            String what = "the unfinished work of a batch of " + batch.count() + " records"
                    + (after == null ? "" : " (and the " + after.count() + " handled after it)");
            if (handler.expected(e)) {
                log.warn("[{}] {} failed; polled again: {}", name, what, e.getMessage(), e);
            } else {
                log.error("[{}] {} failed unexpectedly; polled again", name, what, e);
            }
            if (after != null) {
                rewind(batch, after);
            } else {
                rewind(batch);
            }
            return false;
        }
        done(batch);
        return true;
    }

    /** Every record of {@code polled} is done: its partitions may be committed past it. */
    private void done(ConsumerRecords<K, V> polled) {
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<K, V>> records = polled.records(tp);
            positions.processed(tp, records.get(records.size() - 1).offset() + 1);
            Long since = assignedAt.remove(tp);
            if (since != null) {
                // what a moved partition's records waited for across the hand-over: the new owner's first batch,
                // and the age of its oldest record (produced before the assignment when the move stalled it)
                long now = clock.millis();
                long produced = records.get(0).timestamp(); // negative: a record without a timestamp
                log.info("[{}] first batch of {} done {} ms after its assignment ({} records from offset {}{})", name,
                        tp, now - since, records.size(), records.get(0).offset(),
                        produced < 0 ? "" : ", the oldest produced " + (now - produced) + " ms ago");
            }
        }
    }

    private void afterPoll() {
        try {
            handler.afterPoll();
        } catch (Exception e) {
            long delay = backoff.nextDelayMillis();
            if (handler.expected(e)) {
                log.warn("[{}] {}; retrying in {} ms", name, e.getMessage(), delay, e);
            } else {
                log.error("[{}] work between polls failed unexpectedly, retrying in {} ms", name, delay, e);
            }
            pause(delay);
        }
    }

    /**
     * Commits what is done without waiting for the coordinator: the next poll (and the next batch) does not
     * wait a round trip for it. Kafka sends a consumer's commits in order and answers their callbacks in
     * order on this thread (during a later poll), so a later commit never lands before an earlier one; a
     * failed one is offered again on the next turn, and a revoke or the end of the loop commits synchronously.
     * One is outstanding at a time, or one per {@link #COMMIT_PATIENCE} while answers are late: under load a
     * turn takes a few milliseconds and a commit's answer longer, so the turns done meanwhile share the next
     * commit instead of each writing the broker's offsets log.
     */
    private void commitProgressAsync() {
        long now = clock.millis();
        if (commitsPending > 0 && now - lastCommitSentAt < COMMIT_PATIENCE.toMillis()) {
            return; // the answer to the last commit comes first; then one commit carries every turn done meanwhile
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = positions.toCommit(handler::commitCeiling);
        if (offsets.isEmpty()) {
            return;
        }
        positions.offered(offsets);
        commitsPending++;
        lastCommitSentAt = now;
        consumer.commitAsync(offsets, (done, e) -> {
            commitsPending--;
            if (e == null) {
                positions.committed(offsets);
                return;
            }
            positions.failed(offsets);
            if (e instanceof RebalanceInProgressException) {
                // refused while the group rebalances (every member commits again once it rejoined): normal
                // during a join or a leave; offered again next turn, or on revoke if the partition moves
                log.info("[{}] committing offsets {} waits for the rebalance in progress; offered again next turn",
                        name, offsets);
            } else if (e instanceof CommitFailedException) {
                log.warn("[{}] committing offsets {} failed because the group rebalanced; the new owner replays"
                        + " them", name, offsets);
            } else {
                log.warn("[{}] committing offsets {} failed, offering them again next turn: {}", name, offsets,
                        e.toString());
            }
        });
    }

    /** Commits what is done and waits for it (a revoke, the end of the loop); earlier async commits come first. */
    private void commitProgress() {
        commitProgress(null);
    }

    /** @param timeout how long the commit may wait for the coordinator; null = the consumer's default */
    private void commitProgress(Duration timeout) {
        Map<TopicPartition, OffsetAndMetadata> offsets = positions.toCommit(handler::commitCeiling);
        try {
            // even with nothing new: a synchronous commit returns only once the async ones before it are answered
            commitSync(offsets, timeout);
            positions.committed(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved on: the new owner replays these records
            log.warn("[{}] committing offsets {} failed because the group rebalanced; the new owner replays"
                    + " them", name, offsets, e);
        } catch (RetriableException e) {
            // the work is done: keep the positions and offer them again next turn
            long delay = backoff.nextDelayMillis();
            log.warn("[{}] committing offsets {} failed, retrying in {} ms: {}", name, offsets, delay, e.toString());
            pause(delay);
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        try {
            commitOnce(offsets, timeout);
        } catch (WakeupException e) {
            // shutdown() raced with the batch in flight: wakeups are one-shot, finish the commit
            commitOnce(offsets, timeout);
        }
    }

    private void commitOnce(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        if (timeout == null) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitSync(offsets, timeout);
        }
    }

    /**
     * Seeks back to the batches' first records (per partition the earliest), so the next poll returns them
     * again; tells the handler.
     */
    @SafeVarargs
    private void rewind(ConsumerRecords<K, V>... batches) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, Long> from = new HashMap<>();
        for (ConsumerRecords<K, V> polled : batches) {
            for (TopicPartition tp : polled.partitions()) {
                if (assigned.contains(tp)) {
                    from.merge(tp, polled.records(tp).get(0).offset(), Math::min);
                }
            }
        }
        from.forEach(consumer::seek);
        handler.onRewound(from);
    }

    private void pause(long millis) {
        try {
            stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Asks the loop to stop after the batch in flight. Safe from any thread; returns at once. */
    public void shutdown() {
        running = false;
        stopping.countDown();
        consumer.wakeup();
    }

    /** Whether the loop has ended (shut down, or stopped by a fatal error). */
    public boolean stopped() {
        return stopped.getCount() == 0;
    }

    /** Waits until the loop has closed its consumer. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The loop's health: {@link Status#STALLED} when no poll returned for longer than
     * {@code stallAfter} (a batch or a storage call hangs), {@link Status#ENDED} once it stopped.
     */
    public Status status(Duration stallAfter) {
        if (stopped()) {
            return Status.ENDED;
        }
        Duration sincePoll = Duration.between(lastPoll, clock.instant());
        return sincePoll.compareTo(stallAfter) > 0 ? Status.STALLED : Status.POLLING;
    }

    /** The time the last poll returned (or the loop started). */
    public Instant lastPoll() {
        return lastPoll;
    }

    /** The assignment once {@code changed} is added or removed (the consumer's view lags inside a callback). */
    private Set<TopicPartition> owned(Collection<TopicPartition> changed, boolean added) {
        Set<TopicPartition> owned = new TreeSet<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        owned.addAll(consumer.assignment());
        if (added) {
            owned.addAll(changed);
        } else {
            owned.removeAll(changed);
        }
        return owned;
    }

    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            long start = clock.millis();
            // hand over what is done; work still pending stays uncommitted for the new owner
            finishInFlight(null);
            commitProgress();
            handler.onRevoked(partitions);
            positions.forget(partitions);
            partitions.forEach(assignedAt::remove);
            // with cooperative rebalancing a callback names only the change: log what is owned after it too
            log.info("[{}] partitions revoked {}; owns {} (commit and hand-over took {} ms)", name, partitions,
                    owned(partitions, false), clock.millis() - start);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                long start = clock.millis();
                handler.onAssigned(partitions);
                partitions.forEach(tp -> assignedAt.put(tp, start));
                log.info("[{}] partitions assigned {}; owns {} (taking over took {} ms)", name, partitions,
                        owned(partitions, true), clock.millis() - start);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                // no commit: the partitions belong to another member already
                finishInFlight(null); // it may hold partitions this member keeps
                handler.onLost(partitions);
                positions.forget(partitions);
                partitions.forEach(assignedAt::remove);
                log.info("[{}] partitions lost {}; owns {}", name, partitions, owned(partitions, false));
            }
        }
    }
}
