package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.SqlErrors;
import io.magpie.protocol.ConversationIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Tables {@code im_group} and {@code group_member}, plus the members' rows of {@code conversation}
 * that a membership change creates (so a new member's next SYNC shows the group).
 *
 * <p>A member joins at the group's {@code last_seq + 1}, read under a row lock on the group in the
 * same transaction as the insert, so it cannot interleave with a message transaction (which advances
 * {@code last_seq} under the same lock, see {@link #advance}). The new member's conversation row
 * starts with {@code last_seq = read_seq = cleared_seq = join_seq - 1}: nothing unread, nothing
 * visible from before the join.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class GroupRepository {

    /** Most rows one multi-row insert carries. */
    static final int MAX_ROWS_PER_STATEMENT = 1000;

    private static final String GROUP_COLUMNS = "g.group_id, g.name, g.owner_uid, g.member_count, g.last_seq,"
            + " g.last_msg_id, g.version, g.large, g.created_at, g.updated_at, g.dismissed";
    private static final String DETAIL_COLUMNS = "g.avatar_url, g.announcement, g.invite_policy, g.join_policy,"
            + " g.max_members, g.mute_all";
    private static final String MEMBER_COLUMNS = "group_id, uid, role, join_seq, read_seq, cleared_seq, muted,"
            + " joined_at";

    private final DataSource dataSource;
    private final Clock clock;
    private final MultiRowSql insertMembers = MultiRowSql.values("INSERT INTO group_member (" + MEMBER_COLUMNS
            + ") VALUES ", 8, "", MAX_ROWS_PER_STATEMENT);
    // a re-joining member's row keeps what it had but hides everything before the new join
    private final MultiRowSql upsertMemberRows = MultiRowSql.values("INSERT INTO conversation (owner_uid,"
                    + " conversation_id, conversation_type, peer_id, version, last_seq, last_msg_id, read_seq,"
                    + " cleared_seq, updated_at) VALUES ", 10,
            " ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version)),"
                    + " last_seq = GREATEST(last_seq, VALUES(last_seq)),"
                    + " read_seq = GREATEST(read_seq, VALUES(read_seq)),"
                    + " cleared_seq = GREATEST(cleared_seq, VALUES(cleared_seq)),"
                    + " deleted = FALSE, updated_at = VALUES(updated_at)", MAX_ROWS_PER_STATEMENT);

    /**
     * @param clock stamps {@code created_at}, {@code updated_at} and {@code joined_at}
     */
    public GroupRepository(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Stores a new group with its first members and their conversation rows, in one transaction.
     *
     * @param group   the group; its {@code memberCount} is replaced by {@code members.size()}
     * @param members its members (join seq 1 for a new group), the owner among them
     * @param version user-scoped version stamped on every member's conversation row
     * @throws StorageException (not retryable) if the group id exists already
     */
    public void create(Group group, List<GroupMember> members, long version) {
        String what = "create of group " + group.groupId() + " with " + members.size() + " members";
        inTransaction(what, connection -> {
            insertGroup(connection, group, members, version);
            return null;
        });
    }

    /** The insert of {@link #create}, in the caller's transaction. */
    void insertGroup(Connection connection, Group group, List<GroupMember> members, long version)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO im_group (group_id, name,"
                + " owner_uid, member_count, last_seq, last_msg_id, version, large, created_at, updated_at,"
                + " dismissed) VALUES (?, ?, ?, ?, 0, 0, ?, FALSE, ?, ?, FALSE)")) {
            statement.setLong(1, group.groupId());
            statement.setString(2, group.name());
            statement.setLong(3, group.ownerUid());
            statement.setInt(4, members.size());
            statement.setLong(5, group.version());
            statement.setLong(6, group.createdAt());
            statement.setLong(7, group.createdAt());
            statement.executeUpdate();
        } catch (SQLException e) {
            if (SqlErrors.isDuplicateKey(e)) {
                throw new StorageException("group id " + group.groupId() + " exists already: " + e.getMessage()
                        + "; the group id segment was handed out twice", e, false);
            }
            throw e;
        }
        insertMembers(connection, members);
        upsertMemberRows(connection, group.groupId(), members, version);
    }

    /**
     * Adds the uids that are not members yet, at join seq = the group's last seq + 1, with their
     * conversation rows, and bumps the group's member count and version; one transaction. The servers do
     * not use it: a membership change of a live group is a GROUP command, stored with its SYSTEM message
     * ({@link GroupMutation.AddMembers} through {@link MessageStore}); this stays for storage-level tests.
     *
     * @param maxMembers the member limit the group may not pass
     * @param version    user-scoped version for the new members' conversation rows (and the group's version)
     * @return empty if there is no such group
     * @throws GroupFullException if the new members would pass {@code maxMembers} (nothing is added)
     */
    public Optional<MembershipChange> addMembers(long groupId, Collection<Long> uids, int maxMembers, long version) {
        String what = "add of " + uids.size() + " members to group " + groupId;
        return inTransaction(what, connection -> {
            long lastSeq;
            // the lock orders this join against message transactions advancing last_seq
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT last_seq FROM im_group WHERE group_id = ? FOR UPDATE")) {
                statement.setLong(1, groupId);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    lastSeq = rs.getLong(1);
                }
            }
            Set<Long> present = memberUids(connection, groupId);
            Set<Long> fresh = new TreeSet<>(uids);
            fresh.removeAll(present);
            if (fresh.isEmpty()) {
                return Optional.of(new MembershipChange(List.of(), present.size()));
            }
            if (present.size() + fresh.size() > maxMembers) {
                throw new GroupFullException(groupId, present.size(), fresh.size(), maxMembers);
            }
            long now = clock.millis();
            List<GroupMember> added = new ArrayList<>(fresh.size());
            for (long uid : fresh) {
                added.add(GroupMember.joining(groupId, uid, GroupMember.ROLE_MEMBER, lastSeq + 1, now));
            }
            insertMembers(connection, added);
            upsertMemberRows(connection, groupId, added, version);
            try (PreparedStatement statement = connection.prepareStatement("UPDATE im_group SET member_count = ?,"
                    + " version = GREATEST(version, ?), updated_at = ? WHERE group_id = ?")) {
                statement.setInt(1, present.size() + added.size());
                statement.setLong(2, version);
                statement.setLong(3, now);
                statement.setLong(4, groupId);
                statement.executeUpdate();
            }
            // member_count is a copy of the member rows' count, rewritten from them here
            return Optional.of(new MembershipChange(added, present.size() + added.size()));
        });
    }

    public Optional<Group> find(long groupId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT " + GROUP_COLUMNS + " FROM im_group g WHERE g.group_id = ?")) {
            statement.setLong(1, groupId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(group(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of group " + groupId, e);
        }
    }

    /** Every member of the group, ascending by uid; empty if there is no such group. */
    public List<GroupMember> members(long groupId) {
        return readMembers("members of group " + groupId, "SELECT " + MEMBER_COLUMNS
                + " FROM group_member WHERE group_id = ? ORDER BY uid", groupId, null);
    }

    /** One member's row, empty if {@code uid} is not a member. */
    public Optional<GroupMember> member(long groupId, long uid) {
        return readMembers("member " + uid + " of group " + groupId, "SELECT " + MEMBER_COLUMNS
                + " FROM group_member WHERE group_id = ? AND uid = ?", groupId, uid).stream().findFirst();
    }

    /** The group and its members with their join seqs, roles and mutes in one query; empty if there is no such group. */
    public Optional<GroupRoster> roster(long groupId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + GROUP_COLUMNS + ", "
                     + DETAIL_COLUMNS + ", m.uid, m.join_seq, m.role, m.mute_until FROM im_group g"
                     + " LEFT JOIN group_member m ON m.group_id = g.group_id WHERE g.group_id = ? ORDER BY m.uid")) {
            statement.setLong(1, groupId);
            Group group = null;
            GroupDetails details = null;
            RosterRows rows = new RosterRows();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (group == null) {
                        group = group(rs);
                        details = details(rs, 12);
                    }
                    long uid = rs.getLong(18);
                    if (!rs.wasNull()) {
                        rows.add(uid, rs.getLong(19), rs.getInt(20), rs.getLong(21));
                    }
                }
            }
            return group == null ? Optional.empty() : Optional.of(rows.roster(group, details));
        } catch (SQLException e) {
            throw SqlErrors.translate("read of the roster of group " + groupId, e);
        }
    }

    /** The group's profile and settings; empty if there is no such group. */
    public Optional<GroupDetails> details(long groupId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT " + DETAIL_COLUMNS + " FROM im_group g WHERE g.group_id = ?")) {
            statement.setLong(1, groupId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(details(rs, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of the settings of group " + groupId, e);
        }
    }

    /** A page of members ascending by uid, those above {@code afterUid}, at most {@code limit}. */
    public List<GroupMember> membersPage(long groupId, long afterUid, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + MEMBER_COLUMNS
                     + " FROM group_member WHERE group_id = ? AND uid > ? ORDER BY uid LIMIT ?")) {
            statement.setLong(1, groupId);
            statement.setLong(2, afterUid);
            statement.setInt(3, limit);
            List<GroupMember> members = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    members.add(member(rs));
                }
            }
            return members;
        } catch (SQLException e) {
            throw SqlErrors.translate("read of a page of members of group " + groupId + " after uid " + afterUid, e);
        }
    }

    /** The row of someone who left or was kicked (and did not join again); empty otherwise. */
    public Optional<FormerMember> formerMember(long groupId, long uid) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT join_seq, left_seq, left_at"
                     + " FROM group_former_member WHERE group_id = ? AND uid = ?")) {
            statement.setLong(1, groupId);
            statement.setLong(2, uid);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(new FormerMember(groupId, uid, rs.getLong(1), rs.getLong(2),
                        rs.getLong(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of former member " + uid + " of group " + groupId, e);
        }
    }

    /**
     * Applies one group's mutations in the caller's transaction (the group row locked by
     * {@link #lockRosters} first, except for {@link GroupMutation.Create}), then rewrites the group's
     * member count from its member rows and raises its version.
     */
    public void apply(Connection connection, GroupChange change) throws SQLException {
        new GroupChangeWriter(this, clock).apply(connection, change);
    }

    /**
     * The rosters of {@code groupIds} read in the caller's transaction under an exclusive lock on each
     * group row (taken in id order), so no member can join or leave until that transaction ends: a
     * message stored in it reaches exactly the members who can see its seq. {@link #addMembers} takes
     * the same lock first. Groups that do not exist are absent from the result.
     */
    public Map<Long, GroupRoster> lockRosters(Connection connection, Collection<Long> groupIds) throws SQLException {
        Map<Long, GroupRoster> rosters = new LinkedHashMap<>();
        for (long groupId : new TreeSet<>(groupIds)) {
            Group group;
            GroupDetails details;
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + GROUP_COLUMNS + ", "
                    + DETAIL_COLUMNS + " FROM im_group g WHERE g.group_id = ? FOR UPDATE")) {
                statement.setLong(1, groupId);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    group = group(rs);
                    details = details(rs, 12);
                }
            }
            // a locking read: the newest committed members, whatever snapshot the transaction holds
            RosterRows rows = new RosterRows();
            try (PreparedStatement statement = connection.prepareStatement("SELECT uid, join_seq, role, mute_until"
                    + " FROM group_member WHERE group_id = ? ORDER BY uid LOCK IN SHARE MODE")) {
                statement.setLong(1, groupId);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getLong(4));
                    }
                }
            }
            rosters.put(groupId, rows.roster(group, details));
        }
        return rosters;
    }

    /** Collects member rows into a roster. */
    private static final class RosterRows {
        private final Map<Long, Long> joinSeqs = new LinkedHashMap<>();
        private final Map<Long, Integer> roles = new HashMap<>();
        private final Map<Long, Long> mutedUntil = new HashMap<>();

        void add(long uid, long joinSeq, int role, long muteUntil) {
            joinSeqs.put(uid, joinSeq);
            if (role != GroupMember.ROLE_MEMBER) {
                roles.put(uid, role);
            }
            if (muteUntil > 0) {
                mutedUntil.put(uid, muteUntil);
            }
        }

        GroupRoster roster(Group group, GroupDetails details) {
            return new GroupRoster(group, joinSeqs.keySet(), joinSeqs, details, roles, mutedUntil);
        }
    }

    /**
     * Moves each group's {@code last_seq} / {@code last_msg_id} forward (never back) and marks it
     * large when asked, in the caller's transaction. Groups are updated in id order so two writers
     * lock them in the same order.
     */
    public void advance(Connection connection, List<GroupProgress> progress) {
        if (progress.isEmpty()) {
            return;
        }
        List<GroupProgress> sorted = new ArrayList<>(progress);
        sorted.sort(Comparator.comparingLong(GroupProgress::groupId));
        long now = clock.millis();
        // assignments run left to right: compare with the old last_seq before raising it
        try (PreparedStatement statement = connection.prepareStatement("UPDATE im_group SET"
                + " last_msg_id = IF(? > last_seq, ?, last_msg_id), last_seq = GREATEST(last_seq, ?),"
                + " large = (large OR ?), updated_at = ? WHERE group_id = ?")) {
            for (GroupProgress p : sorted) {
                statement.setLong(1, p.lastSeq());
                statement.setLong(2, p.lastMsgId());
                statement.setLong(3, p.lastSeq());
                statement.setBoolean(4, p.large());
                statement.setLong(5, now);
                statement.setLong(6, p.groupId());
                statement.addBatch();
            }
            statement.executeBatch();
        } catch (SQLException e) {
            throw SqlErrors.translate("advance of the last seq of " + sorted.size() + " groups (first: group "
                    + sorted.get(0).groupId() + ")", e);
        }
    }

    void insertMembers(Connection connection, List<GroupMember> members) throws SQLException {
        for (int from = 0; from < members.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<GroupMember> chunk = members.subList(from, Math.min(members.size(), from + MAX_ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(insertMembers.forRows(chunk.size()))) {
                int p = 1;
                for (GroupMember m : chunk) {
                    statement.setLong(p++, m.groupId());
                    statement.setLong(p++, m.uid());
                    statement.setInt(p++, m.role());
                    statement.setLong(p++, m.joinSeq());
                    statement.setLong(p++, m.readSeq());
                    statement.setLong(p++, m.clearedSeq());
                    statement.setBoolean(p++, m.muted());
                    statement.setLong(p++, m.joinedAt());
                }
                statement.executeUpdate();
            }
        }
    }

    void upsertMemberRows(Connection connection, long groupId, List<GroupMember> members, long version)
            throws SQLException {
        String conversationId = ConversationIds.group(groupId);
        long now = clock.millis();
        List<GroupMember> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparingLong(GroupMember::uid)); // primary-key order: no deadlock between writers
        for (int from = 0; from < sorted.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<GroupMember> chunk = sorted.subList(from, Math.min(sorted.size(), from + MAX_ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(upsertMemberRows.forRows(chunk.size()))) {
                int p = 1;
                for (GroupMember m : chunk) {
                    long before = m.joinSeq() - 1;
                    statement.setLong(p++, m.uid());
                    statement.setString(p++, conversationId);
                    statement.setInt(p++, 2); // ConversationType.GROUP
                    statement.setLong(p++, groupId);
                    statement.setLong(p++, version);
                    statement.setLong(p++, before);
                    statement.setLong(p++, 0);
                    statement.setLong(p++, before);
                    statement.setLong(p++, before);
                    statement.setLong(p++, now);
                }
                statement.executeUpdate();
            }
        }
    }

    private static Set<Long> memberUids(Connection connection, long groupId) throws SQLException {
        Set<Long> uids = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT uid FROM group_member WHERE group_id = ?")) {
            statement.setLong(1, groupId);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    uids.add(rs.getLong(1));
                }
            }
        }
        return uids;
    }

    private List<GroupMember> readMembers(String what, String sql, long groupId, Long uid) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, groupId);
            if (uid != null) {
                statement.setLong(2, uid);
            }
            List<GroupMember> members = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    members.add(member(rs));
                }
            }
            return members;
        } catch (SQLException e) {
            throw SqlErrors.translate("read of " + what, e);
        }
    }

    private static GroupMember member(ResultSet rs) throws SQLException {
        return new GroupMember(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), rs.getBoolean(7), rs.getLong(8));
    }

    private static GroupDetails details(ResultSet rs, int first) throws SQLException {
        return new GroupDetails(rs.getString(first), rs.getString(first + 1), rs.getInt(first + 2),
                rs.getInt(first + 3), rs.getInt(first + 4), rs.getBoolean(first + 5));
    }

    private static Group group(ResultSet rs) throws SQLException {
        return new Group(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getLong(5), rs.getLong(6),
                rs.getLong(7), rs.getBoolean(8), rs.getLong(9), rs.getLong(10), rs.getBoolean(11));
    }

    /** Work inside one transaction. */
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            // HikariCP restores auto-commit when the connection goes back to the pool
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException e) {
                rollback(connection, e);
                throw SqlErrors.translate(what, e);
            } catch (RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }

    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }
}
