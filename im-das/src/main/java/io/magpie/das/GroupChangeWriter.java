package io.magpie.das;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes the {@link GroupMutation}s of one {@link GroupChange} in the caller's transaction, then
 * rewrites the group's member count from its member rows and raises its version. Package-private:
 * reached through {@link GroupRepository#apply}.
 */
final class GroupChangeWriter {

    private final GroupRepository groups;
    private final Clock clock;

    GroupChangeWriter(GroupRepository groups, Clock clock) {
        this.groups = groups;
        this.clock = clock;
    }

    void apply(Connection connection, GroupChange change) throws SQLException {
        long gid = change.groupId();
        long now = clock.millis();
        for (GroupMutation m : change.mutations()) {
            if (m instanceof GroupMutation.Create c) {
                groups.insertGroup(connection, c.group(), c.members(), change.version());
            } else if (m instanceof GroupMutation.AddMembers a) {
                addMembers(connection, gid, a, change.version(), now);
            } else if (m instanceof GroupMutation.RemoveMembers r) {
                removeMembers(connection, gid, r, now);
            } else if (m instanceof GroupMutation.SetRole r) {
                update(connection, "UPDATE group_member SET role = ? WHERE group_id = ? AND uid = ?", r.role(), gid,
                        r.uid());
            } else if (m instanceof GroupMutation.TransferOwner t) {
                update(connection, "UPDATE group_member SET role = ? WHERE group_id = ? AND uid = ?",
                        GroupMember.ROLE_MEMBER, gid, t.from());
                update(connection, "UPDATE group_member SET role = ?, mute_until = 0 WHERE group_id = ? AND uid = ?",
                        GroupMember.ROLE_OWNER, gid, t.to());
                update(connection, "UPDATE im_group SET owner_uid = ? WHERE group_id = ?", t.to(), gid);
            } else if (m instanceof GroupMutation.MuteMember u) {
                update(connection, "UPDATE group_member SET mute_until = ? WHERE group_id = ? AND uid = ?", u.until(),
                        gid, u.uid());
            } else if (m instanceof GroupMutation.UpdateProfile p) {
                try (PreparedStatement s = connection.prepareStatement("UPDATE im_group SET"
                        + " name = COALESCE(?, name), avatar_url = COALESCE(?, avatar_url),"
                        + " announcement = COALESCE(?, announcement) WHERE group_id = ?")) {
                    s.setString(1, p.name());
                    s.setString(2, p.avatarUrl());
                    s.setString(3, p.announcement());
                    s.setLong(4, gid);
                    s.executeUpdate();
                }
            } else if (m instanceof GroupMutation.UpdateSettings u) {
                try (PreparedStatement s = connection.prepareStatement("UPDATE im_group SET"
                        + " invite_policy = COALESCE(?, invite_policy), join_policy = COALESCE(?, join_policy),"
                        + " max_members = COALESCE(?, max_members), mute_all = COALESCE(?, mute_all)"
                        + " WHERE group_id = ?")) {
                    s.setObject(1, u.invitePolicy());
                    s.setObject(2, u.joinPolicy());
                    s.setObject(3, u.maxMembers());
                    s.setObject(4, u.muteAll());
                    s.setLong(5, gid);
                    s.executeUpdate();
                }
            } else if (m instanceof GroupMutation.Dismiss) {
                update(connection, "UPDATE im_group SET dismissed = TRUE WHERE group_id = ?", gid);
            } else if (m instanceof GroupMutation.DropJoinRequest d) {
                update(connection, "DELETE FROM group_join_request WHERE group_id = ? AND uid = ?", gid, d.uid());
            }
        }
        try (PreparedStatement s = connection.prepareStatement("UPDATE im_group SET"
                + " member_count = (SELECT COUNT(*) FROM group_member WHERE group_id = ?),"
                + " version = GREATEST(version, ?), updated_at = ? WHERE group_id = ?")) {
            s.setLong(1, gid);
            s.setLong(2, change.version());
            s.setLong(3, now);
            s.setLong(4, gid);
            s.executeUpdate();
        }
    }

    private void addMembers(Connection connection, long gid, GroupMutation.AddMembers a, long version, long now)
            throws SQLException {
        if (a.uids().isEmpty()) {
            return;
        }
        List<GroupMember> added = new ArrayList<>(a.uids().size());
        for (long uid : a.uids()) {
            added.add(GroupMember.joining(gid, uid, GroupMember.ROLE_MEMBER, a.joinSeq(), now));
        }
        // someone who comes back is a member again from the new join seq, no longer a former one
        try (PreparedStatement s = connection.prepareStatement("DELETE FROM group_former_member WHERE group_id = ?"
                + " AND uid IN (" + placeholders(a.uids().size()) + ")")) {
            s.setLong(1, gid);
            bind(s, 2, a.uids());
            s.executeUpdate();
        }
        groups.insertMembers(connection, added);
        groups.upsertMemberRows(connection, gid, added, version);
    }

    private static void removeMembers(Connection connection, long gid, GroupMutation.RemoveMembers r, long now)
            throws SQLException {
        if (r.uids().isEmpty()) {
            return;
        }
        String in = placeholders(r.uids().size());
        try (PreparedStatement s = connection.prepareStatement("INSERT INTO group_former_member (group_id, uid,"
                + " join_seq, left_seq, left_at) SELECT group_id, uid, join_seq, ?, ? FROM group_member"
                + " WHERE group_id = ? AND uid IN (" + in + ") ON DUPLICATE KEY UPDATE join_seq = VALUES(join_seq),"
                + " left_seq = VALUES(left_seq), left_at = VALUES(left_at)")) {
            s.setLong(1, r.leftSeq());
            s.setLong(2, now);
            s.setLong(3, gid);
            bind(s, 4, r.uids());
            s.executeUpdate();
        }
        try (PreparedStatement s = connection.prepareStatement("DELETE FROM group_member WHERE group_id = ?"
                + " AND uid IN (" + in + ")")) {
            s.setLong(1, gid);
            bind(s, 2, r.uids());
            s.executeUpdate();
        }
    }

    private static void update(Connection connection, String sql, long... values) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setLong(i + 1, values[i]);
            }
            s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, int first, List<Long> uids) throws SQLException {
        int p = first;
        for (long uid : uids) {
            s.setLong(p++, uid);
        }
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
