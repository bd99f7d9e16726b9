package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Table {@code group_join_request}: requests to join a group whose join policy needs an admin's
 * approval. Written by the group's single writer (the logic instance owning its partition); an
 * approval deletes the request in the transaction of its MEMBER_JOINED message
 * ({@link GroupMutation.DropJoinRequest}). Blocking JDBC; thread-safe; failures are
 * {@link io.magpie.registry.StorageException}s.
 */
public final class GroupJoinRequests {

    /** One request. */
    public record JoinRequest(long groupId, long uid, String message, long createdAt) {
    }

    private final DataSource dataSource;
    private final Clock clock;

    public GroupJoinRequests(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Stores (or refreshes) the request of {@code uid}. */
    public void put(long groupId, long uid, String message) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO group_join_request (group_id, uid, message,"
                     + " created_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE message = VALUES(message),"
                     + " created_at = VALUES(created_at)")) {
            s.setLong(1, groupId);
            s.setLong(2, uid);
            s.setString(3, message);
            s.setLong(4, clock.millis());
            s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("store of the join request of uid " + uid + " to group " + groupId, e);
        }
    }

    public Optional<JoinRequest> find(long groupId, long uid) {
        List<JoinRequest> found = query("join request of uid " + uid + " to group " + groupId,
                "SELECT group_id, uid, message, created_at FROM group_join_request WHERE group_id = ? AND uid = ?",
                groupId, uid, 1);
        return found.stream().findFirst();
    }

    /** Requests ascending by uid, those above {@code afterUid}, at most {@code limit}. */
    public List<JoinRequest> page(long groupId, long afterUid, int limit) {
        return query("join requests to group " + groupId, "SELECT group_id, uid, message, created_at"
                + " FROM group_join_request WHERE group_id = ? AND uid > ? ORDER BY uid LIMIT ?", groupId, afterUid,
                limit);
    }

    /** @return whether there was such a request */
    public boolean delete(long groupId, long uid) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM group_join_request WHERE group_id = ? AND uid = ?")) {
            s.setLong(1, groupId);
            s.setLong(2, uid);
            return s.executeUpdate() > 0;
        } catch (SQLException e) {
            throw SqlErrors.translate("delete of the join request of uid " + uid + " to group " + groupId, e);
        }
    }

    private List<JoinRequest> query(String what, String sql, long groupId, long uid, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, groupId);
            s.setLong(2, uid);
            if (sql.endsWith("LIMIT ?")) {
                s.setInt(3, limit);
            }
            List<JoinRequest> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new JoinRequest(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("read of " + what, e);
        }
    }
}
