package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.SendAck;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8 point 2, two writers of one conversation on the real MariaDB: the old owner of an upstream
 * partition is frozen inside its write transaction (fence row share-locked, rows half written), the
 * new owner claims the partition (waiting only until MySQL closes the frozen writer's idle session),
 * stores the same SENDs from the stored seqs on, and the old owner, resumed, is refused by the fence:
 * no seq twice, the zombie's write rolled back, every SEND acknowledged exactly once.
 */
@ExtendWith(InfrastructureExtension.class)
class PartitionFencingIT {

    private static WritePath path;
    private static ExecutorService zombieThread;

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        path = new WritePath(infra, iso);
        zombieThread = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stop() {
        if (zombieThread != null) {
            zombieThread.shutdownNow();
        }
        if (path != null) {
            path.close();
        }
    }

    @Test
    void aStaleOwnerFrozenInItsTransactionIsRefusedAfterTheNewOwnerClaimedAndNoSeqIsTakenTwice() throws Exception {
        String topic = "fence-it-" + path.uid();
        TopicPartition partition = new TopicPartition(topic, 0);
        long alice = path.uid();
        long bob = path.uid();
        String conversation = ConversationIds.single(alice, bob);
        PausingIds oldIds = new PausingIds(path.idSource());
        PartitionFences oldFences = new PartitionFences(path.fenceRows, topic, "old-owner");
        oldFences.claim(List.of(partition));
        SendBatchProcessor oldOwner = path.processor(oldIds, oldFences);
        List<OutgoingPush> answers = new ArrayList<>(oldOwner.process(sends(alice, bob, "m1", "m2")));

        oldIds.pauseNext();
        Future<List<OutgoingPush>> zombie = zombieThread.submit(() -> oldOwner.process(sends(alice, bob, "m3", "m4")));
        oldIds.awaitPaused();
        // the rebalance gave the partition to a new owner: its claim waits for the frozen transaction to end
        PartitionFences newFences = new PartitionFences(path.fenceRows, topic, "new-owner");
        newFences.claim(List.of(partition));
        SendBatchProcessor newOwner = path.processor(newFences);
        answers.addAll(newOwner.process(sends(alice, bob, "m3", "m4", "m5")));
        oldIds.resume();

        List<OutgoingPush> fromZombie = new ArrayList<>();
        try {
            fromZombie.addAll(zombie.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            // its session was closed by the idle bound: the batch failed retryably, and the retry is fenced
            assertTrue(e.getCause() instanceof BatchRetryException b && b.retryable(), String.valueOf(e.getCause()));
            fromZombie.addAll(oldOwner.process(sends(alice, bob, "m3", "m4")));
        }
        fromZombie.addAll(oldOwner.process(sends(alice, bob, "m6")));

        assertEquals(List.of(), fromZombie, "the stale owner answers nothing: its partition belongs to another");
        assertEquals(List.of("1:m1", "2:m2", "3:m3", "4:m4", "5:m5"), path.rows(conversation));
        Map<String, List<Long>> acks = WritePath.acks(answers).stream().collect(Collectors.groupingBy(
                SendAck::getClientMsgId, Collectors.mapping(SendAck::getSeq, Collectors.toList())));
        assertEquals(Map.of("m1", List.of(1L), "m2", List.of(2L), "m3", List.of(3L), "m4", List.of(4L),
                "m5", List.of(5L)), acks, "every SEND acknowledged exactly once");
        assertEquals(OptionalLong.of(2), path.fenceRows.epoch(topic, 0));
    }

    @Test
    void anOwnerThatClaimsAPartitionBackContinuesFromTheStoredSeqs() throws Exception {
        String topic = "fence-it-" + path.uid();
        TopicPartition partition = new TopicPartition(topic, 0);
        long alice = path.uid();
        long bob = path.uid();
        PartitionFences first = new PartitionFences(path.fenceRows, topic, "first");
        first.claim(List.of(partition));
        SendBatchProcessor a = path.processor(first);
        a.process(sends(alice, bob, "a1"));
        PartitionFences second = new PartitionFences(path.fenceRows, topic, "second");
        second.claim(List.of(partition));
        SendBatchProcessor b = path.processor(second);
        b.process(sends(alice, bob, "b1"));

        assertEquals(List.of(), a.process(sends(alice, bob, "a2")), "fenced out: a2 is left to the owner");
        first.claim(List.of(partition)); // the partition comes back
        List<SendAck> acks = WritePath.acks(a.process(sends(alice, bob, "a2")));

        assertEquals(3, acks.get(0).getSeq(), "after a claim, seqs continue from what is stored");
        assertEquals(List.of("1:a1", "2:b1", "3:a2"), path.rows(ConversationIds.single(alice, bob)));
    }

    private static List<SendCommand> sends(long sender, long peer, String... clientMsgIds) {
        List<SendCommand> sends = new ArrayList<>();
        for (String id : clientMsgIds) {
            sends.add(Sends.command(sender, peer, id).fromPartition(0));
        }
        return sends;
    }

    /** Message ids that can freeze the writer inside its transaction (after the fence check) once. */
    private static final class PausingIds implements IdGenerator {
        private final IdGenerator ids;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch paused = new CountDownLatch(1);
        private final CountDownLatch resumed = new CountDownLatch(1);

        PausingIds(IdGenerator ids) {
            this.ids = ids;
        }

        void pauseNext() {
            armed.set(true);
        }

        void awaitPaused() throws InterruptedException {
            assertTrue(paused.await(60, TimeUnit.SECONDS), "the old owner never reached its transaction");
        }

        void resume() {
            resumed.countDown();
        }

        @Override
        public long nextId() {
            if (armed.compareAndSet(true, false)) {
                paused.countDown();
                try {
                    resumed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while frozen", e);
                }
            }
            return ids.nextId();
        }
    }
}
