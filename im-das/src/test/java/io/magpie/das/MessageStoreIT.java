package io.magpie.das;

import static io.magpie.das.TestMessages.count;
import static io.magpie.das.TestMessages.insertStatements;
import static io.magpie.das.TestMessages.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class MessageStoreIT {

    private static Database database;
    private static MessageRepository messages;
    private static ConversationRepository conversations;
    private static MessageStore store;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 4));
        messages = new MessageRepository(database.dataSource());
        conversations = new ConversationRepository(database.dataSource(), Clock.systemUTC());
        store = new MessageStore(database.dataSource(), messages, conversations);
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static List<MessageRecord> batch(long firstMsgId, String conversationId, int fromSeq, int count,
                                             long sender) {
        List<MessageRecord> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long seq = fromSeq + i;
            batch.add(text(firstMsgId + i, conversationId, seq, sender, conversationId + "-c" + seq));
        }
        return batch;
    }

    @Test
    void batchOf500IsOneInsertStatement() throws SQLException {
        List<MessageRecord> batch = batch(10_000, "s_100_101", 1, 500, 100);
        try (Connection connection = database.dataSource().getConnection()) {
            long before = insertStatements(connection);
            assertEquals(500, messages.insertBatch(connection, batch));
            assertEquals(1, insertStatements(connection) - before, "one INSERT statement for the whole batch");
            assertEquals(500, count(connection, "SELECT COUNT(*) FROM message WHERE conversation_id = 's_100_101'"));
        }
        assertEquals(500, messages.maxSeq("s_100_101"));
        assertEquals(batch.subList(99, 110), messages.findRange("s_100_101", 100, 500, 11));
    }

    @Test
    void storedRowsReadBackByteForByte() {
        MessageRecord binary = new MessageRecord(20_001, "g_77", 2, 1, 3, 200, "tablet", "bin-1", 7,
                new byte[] {0, -1, 0x27, 0x5c, 0, 127}, MessageRecord.STATUS_RECALLED, 1_234_567L);
        store.persist(List.of(binary), List.of());
        assertEquals(List.of(binary), messages.findRange("g_77", 1, 1, 10));
        assertArrayEquals(binary.content(), messages.findRange("g_77", 1, 1, 1).get(0).content());
        assertEquals(List.of(binary), messages.findSinceVersion("g_77", 2, 10));
        assertEquals(List.of(), messages.findSinceVersion("g_77", 3, 10));
    }

    @Test
    void findByClientMsgIdsReturnsStoredMessagesOnly() {
        List<MessageRecord> batch = batch(30_000, "s_300_301", 1, 3, 300);
        store.persist(batch, List.of());
        Map<SenderClientKey, MessageRecord> found = messages.findByClientMsgIds(List.of(
                batch.get(0).senderClientKey(), batch.get(2).senderClientKey(),
                new SenderClientKey(300, "never-sent"), new SenderClientKey(999, batch.get(1).clientMsgId())));
        assertEquals(Map.of(batch.get(0).senderClientKey(), batch.get(0),
                batch.get(2).senderClientKey(), batch.get(2)), found);
        assertEquals(0, messages.maxSeq("s_nobody_here"));
    }

    @Test
    void reusedSeqIsADuplicateOfConversationSeqAndNothingOfTheBatchIsStored() throws SQLException {
        store.persist(batch(40_000, "s_400_401", 1, 5, 400), List.of());
        // a stale writer reuses seq 5 with fresh ids
        List<MessageRecord> stale = new ArrayList<>(batch(40_100, "s_400_401", 6, 3, 400));
        stale.add(text(40_200, "s_400_401", 5, 401, "other-client-id"));
        ConversationUpdate update = new ConversationUpdate(400, "s_400_401", 1, 401, 8, 40_102, 8, 8);

        DuplicateMessageException e = assertThrows(DuplicateMessageException.class,
                () -> store.persist(stale, List.of(update)));

        assertEquals(DuplicateMessageException.Key.CONVERSATION_SEQ, e.key());
        assertFalse(e.retryable());
        assertTrue(e.getCause() instanceof SQLException);
        assertEquals(5, messages.maxSeq("s_400_401"), "the batch's other rows were not stored");
        assertTrue(conversations.find(400, "s_400_401").isEmpty(), "the conversation update was rolled back");
    }

    @Test
    void resentClientMessageIdIsADuplicateOfSenderClientKey() {
        store.persist(List.of(text(50_000, "s_500_501", 1, 500, "same-client-id")), List.of());
        DuplicateMessageException e = assertThrows(DuplicateMessageException.class,
                () -> store.persist(List.of(text(50_001, "s_500_501", 2, 500, "same-client-id")), List.of()));
        assertEquals(DuplicateMessageException.Key.SENDER_CLIENT_MSG_ID, e.key());
        assertTrue(e.getMessage().contains("findByClientMsgIds"), e.getMessage());
    }

    @Test
    void reusedMessageIdIsADuplicateOfMsgId() {
        store.persist(List.of(text(60_000, "s_600_601", 1, 600, "a")), List.of());
        DuplicateMessageException e = assertThrows(DuplicateMessageException.class,
                () -> store.persist(List.of(text(60_000, "s_600_601", 2, 600, "b")), List.of()));
        assertEquals(DuplicateMessageException.Key.MSG_ID, e.key());
    }

    @Test
    void persistWritesMessagesAndConversationRowsTogether() {
        List<MessageRecord> batch = batch(70_000, "s_700_701", 1, 2, 700);
        store.persist(batch, List.of(
                new ConversationUpdate(700, "s_700_701", 1, 701, 2, 70_001, 5, 2),
                new ConversationUpdate(701, "s_700_701", 1, 700, 2, 70_001, 9, ConversationUpdate.KEEP_READ_SEQ)));
        assertEquals(2, messages.maxSeq("s_700_701"));
        Conversation sender = conversations.find(700, "s_700_701").orElseThrow();
        Conversation peer = conversations.find(701, "s_700_701").orElseThrow();
        assertEquals(0, sender.unread());
        assertEquals(2, peer.unread());
        assertEquals(70_001, peer.lastMsgId());
        assertEquals(700, peer.peerId());
    }
}
