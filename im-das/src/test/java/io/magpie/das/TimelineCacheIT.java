package io.magpie.das;

import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisKeys;
import io.magpie.registry.RedisStore;

import static io.magpie.das.TestMessages.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.Message;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class TimelineCacheIT {

    private static RedisStore store;
    private static TimelineCache timeline;

    @BeforeAll
    static void connect(Infrastructure infra, TestIsolation isolation) {
        store = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
        timeline = new TimelineCache(store, 20, Duration.ofMinutes(5));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static List<MessageRecord> messages(String conversationId, long fromSeq, long toSeq) {
        List<MessageRecord> records = new ArrayList<>();
        for (long seq = fromSeq; seq <= toSeq; seq++) {
            records.add(text(1000 + seq, conversationId, seq, 1, conversationId + "-" + seq));
        }
        return records;
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::getSeq).toList();
    }

    @Test
    void appendKeepsTheNewestEntriesAndTheLastSeq() {
        List<MessageRecord> batch = new ArrayList<>(messages("s_1_2", 1, 30));
        batch.addAll(messages("g_9", 1, 3));
        timeline.appendBatch(batch).join();

        assertEquals(20, store.bytes().sync().zcard(RedisKeys.bytes(store.keys().timeline("s_1_2"))));
        List<Message> cached = timeline.range("s_1_2", 1, 100, 100).join();
        assertEquals(LongStream.rangeClosed(11, 30).boxed().toList(), seqs(cached), "trimmed to the newest 20");
        assertEquals("message 30", cached.get(19).getContent().getText());
        assertEquals(2, cached.get(19).getTargetId());
        assertEquals(OptionalLong.of(30), timeline.lastSeq("s_1_2").join());
        assertEquals(OptionalLong.of(3), timeline.lastSeq("g_9").join());
        assertEquals(List.of(2L, 3L), seqs(timeline.range("g_9", 2, 3, 10).join()));
        assertEquals(List.of(1L, 2L), seqs(timeline.range("g_9", 1, 3, 2).join()), "limit applies");

        long ttl = store.bytes().sync().pttl(RedisKeys.bytes(store.keys().timeline("s_1_2")));
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(5).toMillis(), "ttl " + ttl);
    }

    @Test
    void appendIsIdempotentAndAnOlderBatchNeverLowersTheLastSeq() {
        timeline.appendBatch(messages("s_1_4", 1, 10)).join();
        timeline.appendBatch(messages("s_1_4", 5, 10)).join(); // replay
        timeline.appendBatch(messages("s_1_4", 1, 4)).join(); // an older batch, late
        assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), seqs(timeline.range("s_1_4", 0, 100, 100).join()));
        assertEquals(OptionalLong.of(10), timeline.lastSeq("s_1_4").join());
    }

    @Test
    void aChangedRenderingOfASeqReplacesTheOldEntry() {
        timeline.appendBatch(messages("s_1_6", 1, 3)).join();
        MessageRecord original = messages("s_1_6", 2, 2).get(0);
        MessageRecord recalled = new MessageRecord(original.msgId(), original.conversationId(),
                original.conversationType(), original.seq(), 7, original.senderUid(), original.senderDeviceId(),
                original.clientMsgId(), original.msgType(), original.content(), MessageRecord.STATUS_RECALLED,
                original.serverTime());
        timeline.appendBatch(List.of(recalled)).join();
        List<Message> cached = timeline.range("s_1_6", 2, 2, 10).join();
        assertEquals(1, cached.size());
        assertEquals(7, cached.get(0).getVersion());
    }

    @Test
    void anUnrenderableRecordFailsTheFutureAndWritesNothing() {
        List<MessageRecord> batch = new ArrayList<>(messages("s_1_8", 1, 2));
        batch.add(text(5000, "s_2_3", 1, 1, "not-a-member")); // uid 1 is not in s_2_3
        CompletionException e = assertThrows(CompletionException.class, () -> timeline.appendBatch(batch).join());
        assertTrue(e.getCause() instanceof IllegalArgumentException, e.toString());
        assertEquals(OptionalLong.empty(), timeline.lastSeq("s_1_8").join());
    }

    @Test
    void unknownConversationHasNoLastSeqAndNoEntries() {
        assertEquals(OptionalLong.empty(), timeline.lastSeq("s_nobody").join());
        assertEquals(List.of(), timeline.range("s_nobody", 1, 10, 10).join());
    }
}
