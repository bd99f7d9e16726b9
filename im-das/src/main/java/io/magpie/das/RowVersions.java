package io.magpie.das;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Moves the members' conversation rows of a conversation to a version (never back), inside the caller's
 * transaction, so every device of every member learns by SYNC that a stored message changed (recall, reaction,
 * edit). Stateless.
 */
final class RowVersions {

    private RowVersions() {
    }

    /**
     * @param groupId the group whose members' rows move, or 0 for a one-to-one conversation: the rows of {@code uidA}
     *                and {@code uidB}
     */
    static void touch(Connection connection, String conversationId, long version, long groupId, long uidA, long uidB,
            long now) throws SQLException {
        String sql = groupId > 0
                ? "UPDATE conversation c JOIN group_member m ON c.owner_uid = m.uid AND m.group_id = ?"
                        + " SET c.version = GREATEST(c.version, ?), c.updated_at = ? WHERE c.conversation_id = ?"
                : "UPDATE conversation c SET c.version = GREATEST(c.version, ?), c.updated_at = ?"
                        + " WHERE c.conversation_id = ? AND c.owner_uid IN (?, ?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int p = 1;
            if (groupId > 0) {
                statement.setLong(p++, groupId);
            }
            statement.setLong(p++, version);
            statement.setLong(p++, now);
            statement.setString(p++, conversationId);
            if (groupId <= 0) {
                statement.setLong(p++, uidA);
                statement.setLong(p, uidB);
            }
            statement.executeUpdate();
        }
    }
}
