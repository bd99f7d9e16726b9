package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.magpie.das.Relations.DirectPair;
import io.magpie.das.Relations.DirectRefusal;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The single writer's held MySQL session on the real MariaDB: set up once (manual commit, bounded idle
 * time) and kept across fenced transactions, given back (restored) and replaced after sitting idle or after
 * a failed transaction, and never lent to another thread; a fenced transaction on it sends its writes and
 * its fence check in one round trip (a multi-statement query).
 */
@ExtendWith(InfrastructureExtension.class)
class WriterSessionIT {

    private static Database database;
    private static HikariDataSource hikari;
    private static PartitionFenceRepository fences;
    private static MessageRepository messages;
    private static ConversationRepository conversations;
    /** Sessions for the tests' further held writers (each keeps one; the database's writer pool has two). */
    private static HikariDataSource moreWriters;
    private static HikariConfig writerConfig;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 4));
        hikari = (HikariDataSource) database.dataSource();
        messages = new MessageRepository(database.dataSource());
        conversations = new ConversationRepository(database.dataSource(), Clock.systemUTC());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(isolation.jdbcUrl());
        config.setUsername(infra.mysqlUser());
        config.setPassword(infra.mysqlPassword());
        config.setMaximumPoolSize(6);
        config.addDataSourceProperty("allowMultiQueries", "true");
        config.addDataSourceProperty("useLocalSessionState", "true");
        writerConfig = config;
        moreWriters = new HikariDataSource(config);
        fences = new PartitionFenceRepository(database.dataSource(), Clock.systemUTC(), Duration.ofSeconds(2),
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void close() {
        moreWriters.close();
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
    void aSessionTheServerEndedIsReplacedWithoutThePoolsBrokenConnectionWarning() throws SQLException {
        ch.qos.logback.classic.Logger poolLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                "com.zaxxer.hikari.pool.ProxyConnection");
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        poolLog.addAppender(warnings);
        HikariConfig config = new HikariConfig();
        writerConfig.copyStateTo(config);
        config.setPoolName("ended-session-writers");
        try (HikariDataSource writers = new HikariDataSource(config)) {
            AtomicLong now = new AtomicLong();
            WriterSession session = new WriterSession(writers, fences::boundIdle, fences::restoreIdle, 1_000,
                    now::get);
            Connection first = session.acquire();
            long firstId = number(first, "SELECT CONNECTION_ID()");
            first.commit();
            session.released();
            try (Connection other = hikari.getConnection(); Statement kill = other.createStatement()) {
                kill.execute("KILL " + firstId); // as the server does once the session sat idle for wait_timeout
            }

            now.addAndGet(2_000);
            Connection replaced = session.acquire();

            assertNotEquals(firstId, number(replaced, "SELECT CONNECTION_ID()"));
            replaced.commit();
            session.released();
            session.discard();
        } finally {
            poolLog.detachAppender(warnings);
        }
        assertEquals(List.of(), warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
                "the pool logged nothing about the ended session");
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
        MessageStore store = new MessageStore(database.dataSource(), messages, conversations, null, fences,
                database.writerDataSource());
        HikariDataSource writerPool = (HikariDataSource) database.writerDataSource();
        long epoch = fences.claim("held", 0, "a");
        int activeBefore = writerPool.getHikariPoolMXBean().getActiveConnections();
        write(store, Map.of(0, epoch));
        write(store, Map.of(0, epoch));
        assertEquals(activeBefore + 1, writerPool.getHikariPoolMXBean().getActiveConnections(),
                "the writer keeps one session between its transactions");

        long newer = fences.claim("held", 0, "b");
        assertThrows(FencedWriteException.class, () -> write(store, Map.of(0, epoch)));
        write(store, Map.of(0, newer)); // the refused transaction's session was replaced; the next one commits
        assertEquals(activeBefore + 1, writerPool.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void aHeldSessionSendsATransactionsWritesAndItsFenceCheckInOneRoundTrip() {
        CountingDataSource counted = new CountingDataSource(database.writerDataSource());
        MessageStore store = new MessageStore(database.dataSource(), messages, conversations, null, fences, counted);
        long epoch = fences.claim("one-trip", 0, "a");
        WriteFence fence = new WriteFence("one-trip", Map.of(0, epoch));
        persist(store, fence, List.of(TestMessages.text(81_000, "s_810_811", 1, 810, "c-1")));
        counted.reset();

        persist(store, fence, List.of(TestMessages.text(81_001, "s_810_811", 2, 810, "c-2"),
                TestMessages.text(81_002, "s_810_811", 3, 811, "c-3")));

        assertEquals(List.of("createStatement", "commit"), counted.calls(),
                "messages, conversation rows and the fence check go in one statement, then the commit");
        assertEquals(3, messages.maxSeq("s_810_811"));
        assertEquals(3, conversations.find(811, "s_810_811").orElseThrow().lastSeq());
        assertEquals(81_002, conversations.find(810, "s_810_811").orElseThrow().lastMsgId());
    }

    @Test
    void aBatchsDedupeAndItsPairsRefusalsAreReadInOneRoundTripThatEndsTheReadsTransaction() {
        AccountRepository accounts = new AccountRepository(database.dataSource());
        long sender = 86_100;
        long blocker = 86_101;
        long open = 86_102;
        for (long uid : List.of(sender, blocker, open)) {
            accounts.create(new Account(uid, "lookup-" + uid, "h", "", 1));
        }
        assertTrue(new Blocklist(database.dataSource(), Clock.systemUTC()).block(blocker, sender));
        CountingDataSource counted = new CountingDataSource(moreWriters);
        MessageStore store = new MessageStore(database.dataSource(), messages, conversations, null, fences, counted);
        MessageStore pooled = new MessageStore(database.dataSource(), messages, conversations, null, fences);
        WriteFence fence = new WriteFence("lookup", Map.of(0, fences.claim("lookup", 0, "a")));
        MessageRecord first = TestMessages.text(86_000, "s_86100_86101", 1, sender, "lk-1");
        persist(store, fence, List.of(first));
        counted.reset();
        SenderClientKey storedKey = new SenderClientKey(sender, "lk-1");
        SenderClientKey laterKey = new SenderClientKey(sender, "lk-2");
        List<SenderClientKey> keys = List.of(storedKey, laterKey, storedKey);
        List<DirectPair> pairs = List.of(new DirectPair(sender, blocker), new DirectPair(sender, open));

        MessageStore.Lookup read = store.lookup(keys, pairs);

        assertEquals(List.of("createStatement"), counted.calls(),
                "the dedupe, the pairs' blocks and policies and the COMMIT go in one round trip on the held session");
        assertEquals(Map.of(storedKey, first.msgId()), msgIds(read));
        assertEquals(Map.of(new DirectPair(sender, blocker), DirectRefusal.BLOCKED), read.refusals());
        MessageStore.Lookup apart = pooled.lookup(keys, pairs);
        assertEquals(msgIds(read), msgIds(apart), "what two pooled queries read");
        assertEquals(read.refusals(), apart.refusals());

        // stored by another session after the read: seen by the next read on the same session, whose snapshot is new
        persist(pooled, WriteFence.NONE, List.of(TestMessages.text(86_001, "s_86100_86101", 2, sender, "lk-2")));
        counted.reset();
        assertEquals(Map.of(storedKey, first.msgId(), laterKey, 86_001L), msgIds(store.lookup(keys, pairs)),
                "the read ended its transaction (COMMIT): the held session does not keep the read's snapshot");
        assertEquals(List.of("createStatement"), counted.calls(), "the same held session, not a fresh one");

        // the writer's sequence: a batch's reads, its fenced transaction, the next batch's reads, on one session
        counted.reset();
        SenderClientKey thirdKey = new SenderClientKey(sender, "lk-3");
        assertEquals(Map.of(), msgIds(store.lookup(List.of(thirdKey), pairs)));
        persist(store, fence, List.of(TestMessages.text(86_002, "s_86100_86101", 3, sender, "lk-3")));
        assertEquals(Map.of(thirdKey, 86_002L), msgIds(store.lookup(List.of(thirdKey), List.of())), "the dedupe alone");
        assertEquals(List.of("createStatement", "createStatement", "commit", "createStatement"), counted.calls(),
                "reads, writes with the fence check, commit, reads: no session set up again");
    }

    @Test
    void readingThroughTheStoreFromInsideATransactionsPlannerIsRefusedAndTheTransactionRolledBack() {
        MessageStore store = new MessageStore(database.dataSource(), messages, conversations, null, fences,
                moreWriters);
        WriteFence fence = new WriteFence("reentry", Map.of(0, fences.claim("reentry", 0, "a")));
        MessageRecord m = TestMessages.text(87_000, "s_870_871", 1, 870, "re-1");
        SenderClientKey key = new SenderClientKey(870, "re-1");

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> store.persist(fence,
                List.of(), rosters -> {
                    // its COMMIT would end the outer transaction half done
                    store.lookup(List.of(key), List.of());
                    return new MessageStore.Writes(List.of(m), List.of(), List.of());
                }));

        assertTrue(refused.getMessage().contains("already in use"), refused.getMessage());
        assertEquals(Map.of(), messages.findByClientMsgIds(List.of(key)), "nothing was committed");
        persist(store, fence, List.of(m));
        assertEquals(Map.of(key, m.msgId()), msgIds(store.lookup(List.of(key), List.of())),
                "the store goes on with a fresh session");
    }

    private static Map<SenderClientKey, Long> msgIds(MessageStore.Lookup read) {
        Map<SenderClientKey, Long> ids = new java.util.HashMap<>();
        read.stored().forEach((key, m) -> ids.put(key, m.msgId()));
        return ids;
    }

    @Test
    void textAndBytesThatWouldEndAQuotedLiteralAreStoredByteForByte() {
        CountingDataSource counted = new CountingDataSource(moreWriters);
        MessageStore store = new MessageStore(database.dataSource(), messages, conversations, null, fences, counted);
        long epoch = fences.claim("literals", 0, "a");
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        MessageRecord tricky = new MessageRecord(85_000, "s_850_851", 1, 1, 1, 850, "dev\\ice'\"\u0000\n\u00e9\ud83d\ude00",
                "x'); DELETE FROM message; -- \\' OR 1=1 #", 1, everyByte, MessageRecord.STATUS_NORMAL, 1_700_000_000_001L);
        MessageRecord empty = new MessageRecord(85_001, "s_850_851", 1, 2, 2, 850, "", "?", 1, new byte[0],
                MessageRecord.STATUS_NORMAL, 1_700_000_000_002L);

        persist(store, new WriteFence("literals", Map.of(0, epoch)), List.of(tricky, empty));

        assertEquals(List.of("createStatement", "commit"), counted.calls().subList(counted.calls().size() - 2,
                counted.calls().size()), "written by the script of literals, not statement by statement");
        assertFalse(counted.calls().contains("prepareStatement"));

        Map<SenderClientKey, MessageRecord> stored = messages.findByClientMsgIds(List.of(tricky.senderClientKey(),
                empty.senderClientKey()));
        MessageRecord back = stored.get(tricky.senderClientKey());
        assertEquals(tricky.senderDeviceId(), back.senderDeviceId());
        assertEquals(tricky.clientMsgId(), back.clientMsgId());
        assertArrayEquals(everyByte, back.content());
        assertEquals(tricky.serverTime(), back.serverTime());
        MessageRecord emptyBack = stored.get(empty.senderClientKey());
        assertEquals("", emptyBack.senderDeviceId());
        assertArrayEquals(new byte[0], emptyBack.content());
        assertEquals(2, messages.maxSeq("s_850_851"));
    }

    @Test
    void aStaleWriterWhoseRowsCollideIsRefusedAsFencedAndAnOwnersCollisionIsADuplicate() {
        MessageStore stale = new MessageStore(database.dataSource(), messages, conversations, null, fences,
                moreWriters);
        MessageStore owner = new MessageStore(database.dataSource(), messages, conversations, null, fences);
        long old = fences.claim("collide", 0, "a");
        persist(stale, new WriteFence("collide", Map.of(0, old)),
                List.of(TestMessages.text(82_000, "s_820_821", 1, 820, "x-1")));
        long current = fences.claim("collide", 0, "b");
        persist(owner, new WriteFence("collide", Map.of(0, current)),
                List.of(TestMessages.text(82_001, "s_820_821", 2, 821, "x-2")));

        // the stale writer assigns seq 2 again: the fence, not the collision, is what it hears
        assertThrows(FencedWriteException.class, () -> persist(stale, new WriteFence("collide", Map.of(0, old)),
                List.of(TestMessages.text(82_002, "s_820_821", 2, 820, "x-3"))));
        // an owner that collides (it lost its seq cache) hears the key; its next transaction (on a fresh session)
        // commits
        MessageStore held = new MessageStore(database.dataSource(), messages, conversations, null, fences,
                moreWriters);
        DuplicateMessageException e = assertThrows(DuplicateMessageException.class, () -> persist(held,
                new WriteFence("collide", Map.of(0, current)), List.of(TestMessages.text(82_003, "s_820_821", 2, 821,
                        "x-4"))));
        assertEquals(DuplicateMessageException.Key.CONVERSATION_SEQ, e.key());
        persist(held, new WriteFence("collide", Map.of(0, current)),
                List.of(TestMessages.text(82_004, "s_820_821", 3, 821, "x-5")));
        assertEquals(3, messages.maxSeq("s_820_821"));
        assertEquals(Map.of(), messages.findByClientMsgIds(List.of(new SenderClientKey(820, "x-3"),
                new SenderClientKey(821, "x-4"))), "nothing of the refused batches was stored");
    }

    @Test
    void aStaleWritersWrittenRowsAreRolledBackWhenTheFenceReadLastRefusesThem() {
        CountingDataSource counted = new CountingDataSource(moreWriters);
        MessageStore stale = new MessageStore(database.dataSource(), messages, conversations, null, fences, counted);
        long old = fences.claim("late", 0, "a");
        persist(stale, new WriteFence("late", Map.of(0, old)),
                List.of(TestMessages.text(84_000, "s_840_841", 1, 840, "late-1")));
        fences.claim("late", 0, "b");
        counted.reset();

        // seqs no one took: the INSERT and the upsert succeed, then the fence read in the same round trip refuses
        assertThrows(FencedWriteException.class, () -> persist(stale, new WriteFence("late", Map.of(0, old)),
                List.of(TestMessages.text(84_001, "s_840_841", 2, 840, "late-2"),
                        TestMessages.text(84_002, "s_840_841", 3, 841, "late-3"))));

        assertEquals("createStatement", counted.calls().get(0), "one round trip before the refusal");
        assertEquals(List.of("createStatement", "rollback"), counted.calls().subList(0, 2));
        assertEquals(1, messages.maxSeq("s_840_841"), "the written rows were rolled back");
        assertEquals(1, conversations.find(841, "s_840_841").orElseThrow().lastSeq());
    }

    @Test
    void writesTooLargeForOneStatementAreSentSeparatelyAndStillFenced() {
        MessageStore store = new MessageStore(database.dataSource(), messages, conversations, null, fences,
                moreWriters);
        long epoch = fences.claim("large", 0, "a");
        MessageRecord message = TestMessages.text(83_000, "g_830", 1, 830, "l-1");
        List<ConversationUpdate> rows = new ArrayList<>();
        for (int owner = 0; owner <= ConversationRepository.MAX_ROWS_PER_STATEMENT; owner++) {
            rows.add(new ConversationUpdate(830_000 + owner, "g_830", 2, 830, 1, 83_000, 83_000, 0));
        }
        long newer = fences.claim("large", 0, "b");
        assertThrows(FencedWriteException.class, () -> store.persist(new WriteFence("large", Map.of(0, epoch)),
                List.of(), rosters -> new MessageStore.Writes(List.of(message), rows, List.of())));
        assertEquals(0, messages.maxSeq("g_830"), "nothing of the refused transaction is stored");

        store.persist(new WriteFence("large", Map.of(0, newer)), List.of(),
                rosters -> new MessageStore.Writes(List.of(message), rows, List.of()));
        assertEquals(1, messages.maxSeq("g_830"));
        assertEquals(1, conversations.find(830_000 + ConversationRepository.MAX_ROWS_PER_STATEMENT, "g_830")
                .orElseThrow().lastSeq());
    }

    private static void persist(MessageStore store, WriteFence fence, List<MessageRecord> batch) {
        List<ConversationUpdate> rows = new ArrayList<>();
        for (MessageRecord m : batch) {
            long sender = m.senderUid();
            long peer = m.conversationId().endsWith("_" + sender) ? sender - 1 : sender + 1;
            rows.add(new ConversationUpdate(sender, m.conversationId(), 1, peer, m.seq(), m.msgId(), m.version(),
                    m.seq()));
            rows.add(new ConversationUpdate(peer, m.conversationId(), 1, sender, m.seq(), m.msgId(), m.version(),
                    ConversationUpdate.KEEP_READ_SEQ));
        }
        store.persist(fence, List.of(), rosters -> new MessageStore.Writes(batch, rows, List.of()));
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
