package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.magpie.das.internal.WriterSession;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The single writer's held MySQL session on the real MariaDB: set up once (manual commit, bounded idle
 * time) and kept across fenced transactions, given back (restored) and replaced after sitting idle or after
 * a failed transaction, and never lent to another thread.
 */
@ExtendWith(InfrastructureExtension.class)
class WriterSessionIT {

    private static Database database;
    private static HikariDataSource hikari;
    private static PartitionFenceRepository fences;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 4));
        hikari = (HikariDataSource) database.dataSource();
        fences = new PartitionFenceRepository(database.dataSource(), Clock.systemUTC(), Duration.ofSeconds(2),
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void theSessionIsSetUpOnceAndKeptUntilItSitsIdleTooLong() throws SQLException {
        AtomicLong now = new AtomicLong();
        AtomicInteger setups = new AtomicInteger();
        WriterSession session = new WriterSession(hikari, c -> {
            setups.incrementAndGet();
            fences.boundIdle(c);
        }, fences::restoreIdle, 1_000, now::get);
        Connection first = session.acquire();
        long firstId = number(first, "SELECT CONNECTION_ID()");
        assertFalse(first.getAutoCommit(), "manual commit");
        assertEquals(2, number(first, "SELECT @@SESSION.wait_timeout"), "the fence's idle bound");
        first.commit();
        session.released();

        now.addAndGet(1_000); // exactly the limit: still fresh
        Connection again = session.acquire();
        assertEquals(firstId, number(again, "SELECT CONNECTION_ID()"), "the same server session");
        assertEquals(1, setups.get(), "set up once");
        again.commit();
        session.released();

        now.addAndGet(1_001);
        Connection fresh = session.acquire();
        assertEquals(2, setups.get(), "a session idle past the limit is given back and a fresh one set up");
        assertEquals(2, number(fresh, "SELECT @@SESSION.wait_timeout"));
        long freshId = number(fresh, "SELECT CONNECTION_ID()");
        fresh.commit();
        session.released();

        now.addAndGet(2_000); // the whole bounded idle time: the server closed it, so it is aborted, not restored
        Connection replaced = session.acquire();
        assertEquals(3, setups.get(), "a session idle for the whole bound is replaced");
        assertNotEquals(freshId, number(replaced, "SELECT CONNECTION_ID()"));
        assertEquals(0, serverSessionsLeft(freshId), "aborted (the server ended it), not given back to the pool");
        replaced.commit();
        session.released();

        session.discard();
        Connection afterDiscard = session.acquire();
        assertEquals(4, setups.get(), "a discarded session is replaced");
        afterDiscard.commit();
        session.discard();
        // sessions given back never serve the pool with the short idle bound
        for (int i = 0; i < 4; i++) {
            try (Connection pooled = hikari.getConnection()) {
                assertNotEquals(2, number(pooled, "SELECT @@SESSION.wait_timeout"));
                assertTrue(pooled.getAutoCommit());
            }
        }
    }

    @Test
    void aDiscardedSessionIsAbortedSoItsServerSessionEndsAndThePoolServesOthers() throws Exception {
        WriterSession session = new WriterSession(hikari, fences::boundIdle, fences::restoreIdle,
                Duration.ofSeconds(1).toNanos(), System::nanoTime);
        Connection failed = session.acquire();
        long id = number(failed, "SELECT CONNECTION_ID()");
        int totalBefore = hikari.getHikariPoolMXBean().getTotalConnections();

        session.discard();

        assertTrue(failed.isClosed(), "the caller's handle is closed");
        assertEquals(0, serverSessionsLeft(id), "the server ended the aborted session " + id);
        assertTrue(hikari.getHikariPoolMXBean().getTotalConnections() <= totalBefore);
    }

    @Test
    void onlyTheFirstThreadOwnsTheSession() throws Exception {
        WriterSession session = new WriterSession(hikari, fences::boundIdle, fences::restoreIdle, Duration.ofSeconds(1).toNanos(),
                System::nanoTime);
        Connection mine = session.acquire();
        mine.commit();
        session.released();
        assertNull(CompletableFuture.supplyAsync(() -> {
            try {
                return session.acquire();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }).get(), "another thread borrows from the pool instead");
        session.discard();
    }

    @Test
    void aStoreWithAHeldSessionWritesFencedTransactionsOnOneSessionAndRecoversFromARefusal() {
        MessageRepository messages = new MessageRepository(database.dataSource());
        MessageStore store = new MessageStore(database.dataSource(), messages,
                new ConversationRepository(database.dataSource(), Clock.systemUTC()), null, fences, true);
        long epoch = fences.claim("held", 0, "a");
        int activeBefore = hikari.getHikariPoolMXBean().getActiveConnections();
        write(store, Map.of(0, epoch));
        write(store, Map.of(0, epoch));
        assertEquals(activeBefore + 1, hikari.getHikariPoolMXBean().getActiveConnections(),
                "the writer keeps one session between its transactions");

        long newer = fences.claim("held", 0, "b");
        assertThrows(FencedWriteException.class, () -> write(store, Map.of(0, epoch)));
        write(store, Map.of(0, newer)); // the refused transaction's session was replaced; the next one commits
        assertEquals(activeBefore + 1, hikari.getHikariPoolMXBean().getActiveConnections());
    }

    /** Whether server session {@code id} still exists (1) or ended (0), waiting up to 10 s for it to end. */
    private static long serverSessionsLeft(long id) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long left;
        do {
            try (Connection other = hikari.getConnection()) {
                left = number(other, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id);
                assertTrue(other.getAutoCommit());
                assertNotEquals(id, number(other, "SELECT CONNECTION_ID()"), "the pool dropped the aborted session");
            }
        } while (left != 0 && System.nanoTime() < deadline);
        return left;
    }

    private static void write(MessageStore store, Map<Integer, Long> epochs) {
        store.persist(new WriteFence("held", epochs), List.of(), rosters -> new MessageStore.Writes(List.of(),
                List.of(), List.of()));
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
