package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.SqlErrors;
import io.magpie.protocol.ConversationIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Read side of "do not notify me about this conversation": {@code conversation.muted} of the user's
 * row, and for a group conversation ({@code g_<groupId>}) also {@code group_member.muted} of the
 * member (a large group's member keeps its own state there). Either flag set = muted. Writing the
 * flag belongs to the account API.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class MuteSettings {

    private final DataSource dataSource;

    public MuteSettings(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Whether {@code uid} muted {@code conversationId}; false when there is no row at all. */
    public boolean muted(long uid, String conversationId) {
        Long groupId = ConversationIds.isGroup(conversationId) ? groupIdOf(conversationId) : null;
        String sql = groupId == null
                ? "SELECT muted FROM conversation WHERE owner_uid = ? AND conversation_id = ?"
                : "SELECT muted FROM conversation WHERE owner_uid = ? AND conversation_id = ?"
                        + " UNION ALL SELECT muted FROM group_member WHERE uid = ? AND group_id = ?";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, uid);
            statement.setString(2, conversationId);
            if (groupId != null) {
                statement.setLong(3, uid);
                statement.setLong(4, groupId);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                }
                return false;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of the mute flag of uid " + uid + " for " + conversationId, e);
        }
    }

    private static Long groupIdOf(String conversationId) {
        try {
            return ConversationIds.groupIdOf(conversationId);
        } catch (IllegalArgumentException e) {
            return null; // not a group id we issued: only the conversation row can say
        }
    }
}
