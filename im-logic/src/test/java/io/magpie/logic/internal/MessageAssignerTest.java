package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.das.MessageRecord;
import io.magpie.idgen.ConversationSeqAllocator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MessageAssignerTest {

    private final Map<String, Long> storedMaxSeq = new HashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
    private final MessageAssigner assigner = new MessageAssigner(ids::incrementAndGet,
            new ConversationSeqAllocator(conv -> storedMaxSeq.getOrDefault(conv, 0L)), clock);

    @Test
    void seqsStartAtOneAndRiseByOnePerConversation() {
        List<Long> ab = List.of(assign(1, 2, "a"), assign(2, 1, "b"), assign(1, 2, "c"));
        List<Long> ac = List.of(assign(1, 3, "d"), assign(3, 1, "e"));

        assertEquals(List.of(1L, 2L, 3L), ab);
        assertEquals(List.of(1L, 2L), ac);
    }

    @Test
    void seqsContinueFromWhatMysqlHolds() {
        storedMaxSeq.put("s_1_2", 41L);

        assertEquals(42L, assign(1, 2, "a"));
        assertEquals(43L, assign(2, 1, "b"));
    }

    @Test
    void afterARollbackTheNextSeqIsReloadedSoNoHoleAppears() {
        assertEquals(1L, assign(1, 2, "a"));
        assertEquals(2L, assign(1, 2, "b")); // this batch fails to persist: nothing stored
        assigner.rollback(List.of("s_1_2"));

        assertEquals(1L, assign(1, 2, "a"));
    }

    @Test
    void afterARebalanceSeqsComeFromMysqlAgain() {
        assertEquals(1L, assign(1, 2, "a"));
        storedMaxSeq.put("s_1_2", 10L); // another owner wrote meanwhile
        assigner.clear();

        assertEquals(11L, assign(1, 2, "b"));
    }

    @Test
    void theRecordCarriesIdsSenderContentAndServerTime() {
        SendCommand c = Sends.command(1, 2, "a");

        MessageRecord r = assigner.assign(c);

        assertEquals(1001, r.msgId());
        assertEquals(r.msgId(), r.version());
        assertEquals("s_1_2", r.conversationId());
        assertEquals(1, r.conversationType());
        assertEquals(1, r.senderUid());
        assertEquals("dev-1", r.senderDeviceId());
        assertEquals("a", r.clientMsgId());
        assertEquals(1, r.msgType());
        assertArrayEquals(c.request().getContent().toByteArray(), r.content());
        assertEquals(MessageRecord.STATUS_NORMAL, r.status());
        assertEquals(1_700_000_000_000L, r.serverTime());
    }

    private long assign(long sender, long target, String clientMsgId) {
        return assigner.assign(Sends.command(sender, target, clientMsgId)).seq();
    }
}
