package io.magpie.bus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsumerLoopTest {

    private static final String TOPIC = "push";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final Duration POLL = Duration.ofMillis(5);

    private final MutableClock clock = new MutableClock();
    private final FlakyConsumer consumer = new FlakyConsumer();
    private ConsumerLoop<String, String> loop;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.shutdown();
            assertTrue(loop.awaitStopped(Duration.ofSeconds(10)));
        }
    }

    @Test
    void commitsABatchOnlyAfterItsWorkIsDone() {
        Recording handler = new Recording();
        start(handler, P0);
        consumer.addRecord(record(P0, 0, "a"));
        consumer.addRecord(record(P0, 1, "b"));

        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 2);
        assertEquals(List.of("a", "b"), handler.values);
    }

    @Test
    void aFailedBatchIsRewoundAndHandledAgainBeforeAnythingIsCommitted() {
        List<Long> committedWhenHandled = new CopyOnWriteArrayList<>();
        Recording handler = new Recording() {
            @Override
            public boolean handle(List<ConsumerRecord<String, String>> batch) throws Exception {
                committedWhenHandled.add(committed(P0));
                return super.handle(batch);
            }
        };
        handler.failures.set(2);
        start(handler, P0);
        consumer.addRecord(record(P0, 0, "a"));

        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 1);
        assertEquals(List.of("a", "a", "a"), handler.values);
        assertEquals(List.of(-1L, -1L, -1L), committedWhenHandled, "nothing committed while the batch failed");
    }

    @Test
    void aCommitTimeoutIsRetriedAndTheLoopKeepsConsuming() {
        Recording handler = new Recording();
        consumer.commitTimeouts.set(3);
        start(handler, P0);
        consumer.addRecord(record(P0, 0, "a"));

        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 1);
        assertEquals(3, consumer.commitsRefusedBeforeSuccess.get());
        consumer.addRecord(record(P0, 1, "b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 2);
        assertEquals(List.of("a", "b"), handler.values, "the done batch is not handled again");
        assertEquals(ConsumerLoop.Status.POLLING, loop.status(Duration.ofMinutes(1)));
    }

    @Test
    void aPollTimeoutDoesNotEndTheLoop() {
        Recording handler = new Recording();
        start(handler, P0);
        consumer.setPollException(new TimeoutException("coordinator moving"));
        consumer.addRecord(record(P0, 0, "a"));

        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 1);
        assertEquals(ConsumerLoop.Status.POLLING, loop.status(Duration.ofMinutes(1)));
    }

    @Test
    void aFatalKafkaErrorEndsTheLoopAndItsStatusSaysSo() {
        start(new Recording(), P0);
        consumer.setPollException(new AuthenticationException("bad credentials"));

        await().atMost(Duration.ofSeconds(10)).until(loop::stopped);
        assertEquals(ConsumerLoop.Status.ENDED, loop.status(Duration.ofMinutes(1)));
        assertTrue(consumer.closed());
    }

    @Test
    void aBatchThatHangsMakesTheLoopStalledOnceNoPollReturnedForTheLimit() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        start(batch -> {
            entered.countDown();
            release.await();
            return true;
        }, P0);
        consumer.addRecord(record(P0, 0, "a"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        clock.advance(Duration.ofSeconds(29));
        assertEquals(ConsumerLoop.Status.POLLING, loop.status(Duration.ofSeconds(30)));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(ConsumerLoop.Status.STALLED, loop.status(Duration.ofSeconds(30)));

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.status(Duration.ofSeconds(30))
                == ConsumerLoop.Status.POLLING);
    }

    @Test
    void commitsStopAtTheHandlersCeilingAndARevokeHandsOverWhatIsDoneFirst() {
        List<String> events = new CopyOnWriteArrayList<>();
        Recording handler = new Recording() {
            @Override
            public OptionalLong commitCeiling(TopicPartition partition) {
                return partition.equals(P1) ? OptionalLong.of(1) : OptionalLong.empty();
            }

            @Override
            public void onRevoked(Collection<TopicPartition> partitions) {
                events.add("revoked " + partitions + " with P0 committed at " + committed(P0));
            }

            @Override
            public void onAssigned(Collection<TopicPartition> partitions) {
                events.add("assigned " + partitions);
            }
        };
        start(handler, P0, P1);
        consumer.addRecord(record(P0, 0, "a"));
        consumer.addRecord(record(P1, 0, "b"));
        consumer.addRecord(record(P1, 1, "c"));
        consumer.addRecord(record(P1, 2, "d"));
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 1 && committed(P1) == 1);

        consumer.addRecord(record(P0, 1, "e"));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.values.contains("e"));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.startsWith("revoked")));

        assertEquals("revoked [push-0] with P0 committed at 2", events.get(1));
        assertEquals(1, committed(P1), "never past the ceiling");
    }

    @Test
    void theNextBatchIsHandledBeforeTheUnfinishedWorkOfTheOneBeforeAndEachIsCommittedPastOnlyOnceItsWorkIsDone()
            throws InterruptedException {
        CountDownLatch handlingA = new CountDownLatch(1);
        CountDownLatch bAdded = new CountDownLatch(1);
        Map<String, CountDownLatch> work = Map.of("a", new CountDownLatch(1), "b", new CountDownLatch(1));
        Overlapping handler = new Overlapping(work) {
            @Override
            public boolean handle(List<ConsumerRecord<String, String>> batch) throws Exception {
                if (batch.get(0).value().equals("a")) {
                    handlingA.countDown();
                    assertTrue(bAdded.await(10, TimeUnit.SECONDS));
                }
                return super.handle(batch);
            }
        };
        start(handler, P0);
        consumer.addRecord(record(P0, 0, "a"));
        assertTrue(handlingA.await(10, TimeUnit.SECONDS));
        consumer.addRecord(record(P0, 1, "b"));
        bAdded.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.values.equals(List.of("a", "b")));
        assertEquals(-1, committed(P0), "a's work is not done yet");
        work.get("a").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 1);
        Thread.sleep(50); // the loop now waits for b's work: b stays uncommitted meanwhile
        assertEquals(1, committed(P0));
        work.get("b").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 2);
        assertEquals(List.of("a", "b"), handler.values);
    }

    @Test
    void whenABatchsUnfinishedWorkFailsItAndTheBatchHandledAfterItArePolledAgain() throws InterruptedException {
        CountDownLatch handlingA = new CountDownLatch(1);
        CountDownLatch bAdded = new CountDownLatch(1);
        AtomicInteger failuresOfA = new AtomicInteger(1);
        Overlapping handler = new Overlapping(Map.of()) {
            @Override
            public boolean handle(List<ConsumerRecord<String, String>> batch) throws Exception {
                if (batch.get(0).value().equals("a") && handlingA.getCount() > 0) {
                    handlingA.countDown();
                    assertTrue(bAdded.await(10, TimeUnit.SECONDS));
                }
                return super.handle(batch);
            }

            @Override
            void finish(String first) throws Exception {
                if (first.equals("a") && failuresOfA.getAndDecrement() > 0) {
                    throw new Exception("Kafka did not acknowledge");
                }
            }
        };
        start(handler, P0, P1);
        consumer.addRecord(record(P0, 0, "a"));
        assertTrue(handlingA.await(10, TimeUnit.SECONDS));
        consumer.addRecord(record(P0, 1, "b"));
        consumer.addRecord(record(P1, 0, "c"));
        bAdded.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 2 && committed(P1) == 1);
        assertEquals("a", handler.values.get(0));
        assertEquals(Set.of("b", "c"), Set.copyOf(handler.values.subList(1, 3)), "the batch after a");
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(handler.values.subList(3, handler.values.size())),
                "a and the batch after it polled again, in every partition they held");
        assertEquals(List.of(Map.of(P0, 0L, P1, 0L)), handler.rewinds, "the handler is told where the replay starts");
    }

    @Test
    void whileACommitIsUnansweredTheTurnsAfterItShareTheNextCommitAndALateAnswerHoldsItBackForThePatienceOnly() {
        consumer.holdAsyncAnswers = true;
        Recording handler = new Recording();
        start(handler, P0);
        consumer.addRecord(record(P0, 0, "a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asyncCommits.get() == 1);

        consumer.addRecord(record(P0, 1, "b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.values.contains("b"));
        consumer.addRecord(record(P0, 2, "c"));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.values.contains("c"));
        int polls = consumer.polls.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.polls.get() > polls + 20);
        assertEquals(1, consumer.asyncCommits.get(), "no second commit while the first is unanswered");
        assertEquals(-1, committed(P0));

        consumer.answerHeld();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asyncCommits.get() == 2);
        assertEquals(1, committed(P0));
        consumer.answerHeld();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 3);
        assertEquals(2, consumer.asyncCommits.get(), "one commit carried b and c once the first was answered");

        consumer.addRecord(record(P0, 3, "d"));
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asyncCommits.get() == 3);
        consumer.addRecord(record(P0, 4, "e"));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.values.contains("e"));
        int later = consumer.polls.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.polls.get() > later + 20);
        assertEquals(3, consumer.asyncCommits.get());
        clock.advance(ConsumerLoop.COMMIT_PATIENCE);
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asyncCommits.get() == 4);
        // two unanswered now: the next one waits the patience again, counted from the last one sent
        consumer.addRecord(record(P0, 5, "f"));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.values.contains("f"));
        int afterLate = consumer.polls.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.polls.get() > afterLate + 20);
        assertEquals(4, consumer.asyncCommits.get(), "one commit per patience while answers are late");
        consumer.answerHeld();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asyncCommits.get() == 5);
        consumer.answerHeld();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(P0) == 6);
    }

    private void start(BatchHandler<String, String> handler, TopicPartition... partitions) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(partitions));
            Map<TopicPartition, Long> beginning = new java.util.HashMap<>();
            for (TopicPartition tp : partitions) {
                beginning.put(tp, 0L);
            }
            consumer.updateBeginningOffsets(beginning);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, 0);
            }
        });
        loop = new ConsumerLoop<>("test", consumer, TOPIC, handler,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(5)), POLL, clock);
        thread = new Thread(loop, "test-loop");
        thread.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignment().size() == partitions.length);
    }

    private long committed(TopicPartition tp) {
        OffsetAndMetadata o = consumer.committed(Set.of(tp)).get(tp);
        return o == null ? -1 : o.offset();
    }

    private static ConsumerRecord<String, String> record(TopicPartition tp, long offset, String value) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, "k", value);
    }

    /** Records every value it handles; throws a checked failure while {@link #failures} is positive. */
    private static class Recording implements BatchHandler<String, String> {
        final List<String> values = new CopyOnWriteArrayList<>();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public boolean handle(List<ConsumerRecord<String, String>> batch) throws Exception {
            List<String> seen = new ArrayList<>();
            batch.forEach(r -> seen.add(r.value()));
            values.addAll(seen);
            if (failures.getAndDecrement() > 0) {
                throw new Exception("storage down");
            }
            return true;
        }
    }

    /**
     * Records what it handles and leaves each batch's work unfinished: it is done when the latch named by the
     * batch's first value is counted down (at once for a value without a latch), or fails as {@link #finish} says.
     */
    private static class Overlapping extends Recording {
        final List<Map<TopicPartition, Long>> rewinds = new CopyOnWriteArrayList<>();
        private final Map<String, CountDownLatch> work;
        private String last;

        Overlapping(Map<String, CountDownLatch> work) {
            this.work = work;
        }

        @Override
        public boolean handle(List<ConsumerRecord<String, String>> batch) throws Exception {
            last = batch.get(0).value();
            return super.handle(batch);
        }

        @Override
        public Unfinished unfinished() {
            String first = last;
            CountDownLatch done = work.get(first);
            return () -> {
                if (done != null && !done.await(10, TimeUnit.SECONDS)) {
                    throw new Exception("the test never let the work of " + first + " complete");
                }
                finish(first);
            };
        }

        @Override
        public void onRewound(Map<TopicPartition, Long> from) {
            rewinds.add(from);
        }

        void finish(String first) throws Exception {
        }
    }

    /**
     * A mock consumer that keeps its records like a log (a seek back re-delivers them, which
     * MockConsumer alone does not) and whose commits time out a given number of times, as during a
     * coordinator failover.
     */
    private static final class FlakyConsumer extends MockConsumer<String, String> {
        final AtomicInteger commitTimeouts = new AtomicInteger();
        final AtomicInteger commitsRefusedBeforeSuccess = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();
        /** Asynchronous commits asked for (answered or not). */
        final AtomicInteger asyncCommits = new AtomicInteger();
        /** When set, an asynchronous commit is answered only by {@link #answerHeld()}, as a slow coordinator does. */
        volatile boolean holdAsyncAnswers;
        private final List<Runnable> held = new ArrayList<>();
        private final List<ConsumerRecord<String, String>> log = new ArrayList<>();

        FlakyConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<String, String> record) {
            log.add(record);
            super.addRecord(record);
        }

        @Override
        public synchronized void seek(TopicPartition tp, long offset) {
            super.seek(tp, offset);
            for (ConsumerRecord<String, String> r : log) {
                if (r.partition() == tp.partition() && r.offset() >= offset) {
                    super.addRecord(r);
                }
            }
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (commitTimeouts.getAndDecrement() > 0) {
                commitsRefusedBeforeSuccess.incrementAndGet();
                throw new TimeoutException("commit timed out: coordinator moving");
            }
            super.commitSync(offsets);
        }

        @Override
        public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
            polls.incrementAndGet();
            return super.poll(timeout);
        }

        /** Answers the held commits on the loop's thread, during its next poll, as Kafka does. */
        synchronized void answerHeld() {
            List<Runnable> answers = List.copyOf(held);
            held.clear();
            schedulePollTask(() -> answers.forEach(Runnable::run));
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                OffsetCommitCallback callback) {
            asyncCommits.incrementAndGet();
            if (holdAsyncAnswers) {
                held.add(() -> super.commitAsync(offsets, callback));
                return;
            }
            if (commitTimeouts.getAndDecrement() > 0) {
                commitsRefusedBeforeSuccess.incrementAndGet();
                callback.onComplete(offsets, new TimeoutException("commit timed out: coordinator moving"));
                return;
            }
            super.commitAsync(offsets, callback);
        }
    }
}
