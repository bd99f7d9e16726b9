package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fencing tokens on the real MariaDB: claims raise the epoch, a stale epoch is refused, the idle bound is undone. */
@ExtendWith(InfrastructureExtension.class)
class PartitionFenceRepositoryIT {

    private static Database database;
    private static PartitionFenceRepository fences;
    private static MessageStore store;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 4));
        fences = new PartitionFenceRepository(database.dataSource(), Clock.systemUTC(), Duration.ofSeconds(2),
                Duration.ofSeconds(10));
        MessageRepository messages = new MessageRepository(database.dataSource());
        store = new MessageStore(database.dataSource(), messages,
                new ConversationRepository(database.dataSource(), Clock.systemUTC()), null, fences);
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void eachClaimRaisesThePartitionsEpochAndOnlyTheLatestMayWrite() {
        assertEquals(1, fences.claim("up", 0, "a"));
        assertEquals(1, fences.claim("up", 1, "a"), "partitions are fenced independently");
        assertEquals(2, fences.claim("up", 0, "b"));

        FencedWriteException refused = assertThrows(FencedWriteException.class, () -> write(Map.of(0, 1L, 1, 1L)));
        assertEquals(Set.of(0), refused.partitions());
        assertTrue(refused.getMessage().contains("claimed by another instance"), refused.getMessage());
        write(Map.of(0, 2L, 1, 1L)); // the current owner writes
    }

    @Test
    void aFencedTransactionLeavesTheSessionWithTheServersIdleTimeout() throws SQLException {
        long epoch = fences.claim("idle", 0, "a");
        long global;
        try (Connection c = database.dataSource().getConnection()) {
            global = number(c, "SELECT @@GLOBAL.wait_timeout");
            c.setAutoCommit(false);
            fences.enter(c, new WriteFence("idle", Map.of(0, epoch)));
            assertEquals(2, number(c, "SELECT @@SESSION.wait_timeout"), "bounded while the transaction is open");
            c.commit();
            fences.leave(c, new WriteFence("idle", Map.of(0, epoch)));
            assertEquals(global, number(c, "SELECT @@SESSION.wait_timeout"));
        }
    }

    private static void write(Map<Integer, Long> epochs) {
        store.persist(new WriteFence("up", epochs), List.of(), rosters -> new MessageStore.Writes(List.of(), List.of(),
                List.of()));
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
