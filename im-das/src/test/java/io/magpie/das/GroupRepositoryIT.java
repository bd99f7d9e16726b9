package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Groups, their members, the members' conversation rows and the read-diffusion SYNC view, on MariaDB. */
@ExtendWith(InfrastructureExtension.class)
class GroupRepositoryIT {

    private static final AtomicLong NEXT_GROUP = new AtomicLong(100);
    private static final AtomicLong NEXT_MSG = new AtomicLong(10_000);

    private static Database database;
    private static GroupRepository groups;
    private static ConversationRepository conversations;
    private static MessageRepository messages;
    private static MessageStore store;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 4));
        groups = new GroupRepository(database.dataSource(), Clock.systemUTC());
        conversations = new ConversationRepository(database.dataSource(), Clock.systemUTC());
        messages = new MessageRepository(database.dataSource());
        store = new MessageStore(database.dataSource(), messages, conversations, groups);
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aNewGroupHasItsMembersAtJoinSeqOneAndEachMemberSeesItInSync() {
        long gid = newGroup(1, List.of(1L, 2L, 3L));

        GroupRoster roster = groups.roster(gid).orElseThrow();
        assertEquals(Set.of(1L, 2L, 3L), roster.memberUids());
        assertEquals(3, roster.group().memberCount());
        assertEquals(List.of(1L, 1L, 1L), groups.members(gid).stream().map(GroupMember::joinSeq).toList());
        assertEquals(GroupMember.ROLE_OWNER, groups.member(gid, 1).orElseThrow().role());
        assertTrue(groups.member(gid, 4).isEmpty());
        Conversation row = conversations.find(2, "g_" + gid).orElseThrow();
        assertEquals(0, row.lastSeq());
        assertEquals(gid, row.peerId());
        assertTrue(conversations.syncSince(2, 0, 100).stream().anyMatch(c -> c.conversationId().equals("g_" + gid)));
    }

    @Test
    void aLateMemberJoinsAfterTheLastSeqAndSeesNothingBefore() {
        long gid = newGroup(11, List.of(11L, 12L));
        storeGroupMessages(gid, 11, List.of(11L, 12L), 1, 3, false);

        MembershipChange change = groups.addMembers(gid, List.of(12L, 13L), 10, 777).orElseThrow();

        assertEquals(1, change.added().size(), "12 is a member already");
        assertEquals(4, change.added().get(0).joinSeq());
        assertEquals(3, change.memberCount());
        Conversation row = conversations.find(13, "g_" + gid).orElseThrow();
        assertEquals(3, row.clearedSeq());
        assertEquals(3, row.readSeq());
        assertEquals(0, row.unread());
        assertTrue(groups.addMembers(999_999, List.of(1L), 10, 1).isEmpty());
    }

    @Test
    void theMemberLimitRefusesTheWholeAddition() {
        long gid = newGroup(21, List.of(21L, 22L));

        GroupFullException e = assertThrows(GroupFullException.class,
                () -> groups.addMembers(gid, List.of(23L, 24L), 3, 5));

        assertEquals(3, e.limit());
        assertTrue(e.getMessage().contains("limit of 3"), e.getMessage());
        assertEquals(Set.of(21L, 22L), groups.roster(gid).orElseThrow().memberUids());
    }

    @Test
    void largeGroupsAreSyncedFromTheGroupRowAndGiveTheSameViewAsPerMemberRows() {
        List<Long> members = List.of(31L, 32L, 33L);
        long small = newGroup(31, members);
        long large = newGroup(31, members);
        long since = NEXT_MSG.get();

        storeGroupMessages(small, 31, members, 1, 4, false);
        storeGroupMessages(large, 31, members, 1, 4, true);

        assertTrue(groups.find(large).orElseThrow().large());
        assertEquals(4, groups.find(small).orElseThrow().lastSeq());
        // the large group's members have no per-message rows: their own row still says 0
        assertEquals(0, conversations.find(32, "g_" + large).orElseThrow().lastSeq());
        Map<String, Conversation> view = byId(conversations.syncSince(32, since, 100));
        Conversation viaRows = view.get("g_" + small);
        Conversation viaGroup = view.get("g_" + large);
        assertEquals(4, viaRows.lastSeq());
        assertEquals(4, viaGroup.lastSeq());
        assertEquals(viaRows.unread(), viaGroup.unread());
        assertTrue(viaGroup.version() > since);
        assertEquals(groups.find(large).orElseThrow().lastMsgId(), viaGroup.lastMsgId());
        // nothing changed since the newest version: nothing is returned
        long newest = conversations.syncSince(32, since, 100).stream().mapToLong(Conversation::version).max()
                .orElseThrow();
        assertEquals(List.of(), conversations.syncSince(32, newest, 100));
    }

    @Test
    void muteSetsTheRowAndTheMemberFlagAndRaisesTheVersion() throws SQLException {
        long gid = newGroup(41, List.of(41L, 42L));
        long before = conversations.find(42, "g_" + gid).orElseThrow().version();

        conversations.setMuted(42, "g_" + gid, 2, gid, true, before + 5);
        conversations.setMuted(42, "s_42_43", 1, 43, true, before + 6);

        Conversation row = conversations.find(42, "g_" + gid).orElseThrow();
        assertTrue(row.muted());
        assertEquals(before + 5, row.version());
        assertTrue(groups.member(gid, 42).orElseThrow().muted());
        assertTrue(new MuteSettings(database.dataSource()).muted(42, "s_42_43"));
        conversations.setMuted(42, "g_" + gid, 2, gid, false, before + 7);
        assertFalse(new MuteSettings(database.dataSource()).muted(42, "g_" + gid));
        assertEquals(0, count("SELECT COUNT(*) FROM conversation WHERE owner_uid = 41 AND muted"));
    }

    @Test
    void messagesAndAccountsAreFoundByIdInOneLookup() {
        long gid = newGroup(51, List.of(51L, 52L));
        List<MessageRecord> stored = storeGroupMessages(gid, 51, List.of(51L, 52L), 1, 2, false);
        Map<Long, MessageRecord> found = messages.findByIds(List.of(stored.get(1).msgId(), 1L));
        assertEquals(Set.of(stored.get(1).msgId()), found.keySet());
        assertEquals(2, found.get(stored.get(1).msgId()).seq());

        AccountRepository accounts = new AccountRepository(database.dataSource());
        accounts.create(new Account(5_100, "existing5100", "h", "", 1));
        assertEquals(Set.of(5_100L), accounts.findExistingUids(List.of(5_100L, 5_101L)));
    }

    // ---- helpers

    private static long newGroup(long owner, List<Long> members) {
        long gid = NEXT_GROUP.incrementAndGet();
        long now = System.currentTimeMillis();
        List<GroupMember> rows = members.stream().map(uid -> GroupMember.joining(gid, uid,
                uid == owner ? GroupMember.ROLE_OWNER : GroupMember.ROLE_MEMBER, 1, now)).toList();
        groups.create(new Group(gid, "group " + gid, owner, members.size(), 0, 0, NEXT_MSG.incrementAndGet(), false,
                now, now, false), rows, NEXT_MSG.incrementAndGet());
        return gid;
    }

    /** Stores seqs from..to of the group, by rows per member (small) or by the group row only (large). */
    private static List<MessageRecord> storeGroupMessages(long gid, long sender, List<Long> members, long from,
            long to, boolean large) {
        String conv = "g_" + gid;
        List<MessageRecord> records = new java.util.ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            long id = NEXT_MSG.incrementAndGet();
            records.add(new MessageRecord(id, conv, 2, seq, id, sender, "d", "c" + id, 1, new byte[0], 0, 1));
        }
        MessageRecord last = records.get(records.size() - 1);
        List<ConversationUpdate> rows = large ? List.of() : members.stream().map(uid -> new ConversationUpdate(uid,
                conv, 2, gid, last.seq(), last.msgId(), last.msgId(),
                uid == sender ? last.seq() : ConversationUpdate.KEEP_READ_SEQ)).toList();
        store.persist(records, rows, List.of(new GroupProgress(gid, last.seq(), last.msgId(), large)));
        return records;
    }

    private static Map<String, Conversation> byId(List<Conversation> rows) {
        Map<String, Conversation> map = new java.util.HashMap<>();
        rows.forEach(c -> map.put(c.conversationId(), c));
        return map;
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
