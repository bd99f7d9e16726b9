package io.magpie.das;

import static io.magpie.das.TestMessages.insertStatements;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class ConversationRepositoryIT {

    private static Database database;
    private static ConversationRepository conversations;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        conversations = new ConversationRepository(database.dataSource(), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static void upsert(ConversationUpdate... updates) throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            conversations.upsertBatch(connection, List.of(updates));
        }
    }

    @Test
    void lastSeqNeverGoesDown() throws SQLException {
        upsert(new ConversationUpdate(1, "s_1_2", 1, 2, 10, 1010, 20, 3));
        // a replayed older batch arrives late
        upsert(new ConversationUpdate(1, "s_1_2", 1, 2, 5, 1005, 12, 1));
        Conversation row = conversations.find(1, "s_1_2").orElseThrow();
        assertEquals(10, row.lastSeq());
        assertEquals(1010, row.lastMsgId(), "last msg id stays with the higher last seq");
        assertEquals(20, row.version());
        assertEquals(3, row.readSeq());

        upsert(new ConversationUpdate(1, "s_1_2", 1, 2, 11, 1011, 21, ConversationUpdate.KEEP_READ_SEQ));
        row = conversations.find(1, "s_1_2").orElseThrow();
        assertEquals(11, row.lastSeq());
        assertEquals(1011, row.lastMsgId());
        assertEquals(21, row.version());
        assertEquals(3, row.readSeq(), "KEEP_READ_SEQ leaves the read position");
        assertEquals(8, row.unread());
    }

    @Test
    void newMessageBringsBackADeletedConversation() throws SQLException {
        upsert(new ConversationUpdate(3, "g_30", 2, 30, 4, 400, 4, 4));
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE conversation SET deleted = TRUE WHERE owner_uid = 3");
        }
        upsert(new ConversationUpdate(3, "g_30", 2, 30, 4, 400, 5, ConversationUpdate.KEEP_READ_SEQ));
        assertTrue(conversations.find(3, "g_30").orElseThrow().deleted(), "a replay of seen messages keeps it deleted");
        upsert(new ConversationUpdate(3, "g_30", 2, 30, 5, 500, 6, ConversationUpdate.KEEP_READ_SEQ));
        assertFalse(conversations.find(3, "g_30").orElseThrow().deleted());
    }

    @Test
    void wholeBatchIsOneStatementAndSyncReadsItByVersion() throws SQLException {
        List<ConversationUpdate> updates = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            updates.add(new ConversationUpdate(5, "g_" + (5000 + i), 2, 5000 + i, 1, 9000 + i, i, 0));
        }
        updates.add(updates.get(0)); // the same row twice in one batch is fine
        try (Connection connection = database.dataSource().getConnection()) {
            long before = insertStatements(connection);
            conversations.upsertBatch(connection, updates);
            assertEquals(1, insertStatements(connection) - before);
        }
        List<Conversation> since = conversations.findSince(5, 295, 100);
        assertEquals(List.of(296L, 297L, 298L, 299L, 300L), since.stream().map(Conversation::version).toList());
        assertEquals(300, conversations.findSince(5, 0, 1000).size());
    }
}
