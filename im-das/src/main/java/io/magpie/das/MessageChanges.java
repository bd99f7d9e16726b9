package io.magpie.das;

import io.magpie.das.internal.Transactions;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The writes of REACT and EDIT: each changes one stored message in one transaction, gives it a new version and
 * moves every member's conversation row to that version (so each device learns of it by SYNC and PULLs the
 * message's changes by version). Who may do it, and the aggregate's encoding, are the caller's.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class MessageChanges {

    /** One user's reaction as stored. */
    public record Reaction(long uid, String emoji) {
    }

    /** What a REACT did. */
    public sealed interface ReactOutcome permits Reacted, Unchanged, TooManyEmoji {
    }

    /** The reactions changed: the message's new version and aggregate. */
    public record Reacted(long version, byte[] aggregate) implements ReactOutcome {
    }

    /** Nothing changed (the same emoji again, or nothing to take back): the message as stored answers. */
    public record Unchanged() implements ReactOutcome {
    }

    /** A new emoji would pass the message's bound of distinct emoji; nothing changed. */
    public record TooManyEmoji(int distinct) implements ReactOutcome {
    }

    private final DataSource dataSource;

    public MessageChanges(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Sets (or with a null {@code emoji}, takes back) {@code uid}'s one reaction to {@code message}.
     *
     * @param maxEmoji  most distinct emoji the message may carry
     * @param aggregate encodes the message's reactions (oldest first) as stored in {@code message.reactions}
     * @param groupId   the group whose members' rows move, or 0 for a one-to-one conversation (both owners' rows)
     */
    public ReactOutcome react(MessageRecord message, long uid, String emoji, int maxEmoji, long version,
            Function<List<Reaction>, byte[]> aggregate, long groupId, long peerUid, long now) {
        String what = "reaction of uid " + uid + " to message " + message.msgId() + " (seq " + message.seq() + ") of "
                + message.conversationId();
        return Transactions.run(dataSource, what, connection -> {
            List<Reaction> before = reactions(connection, message);
            String mine = before.stream().filter(r -> r.uid() == uid).map(Reaction::emoji).findFirst().orElse(null);
            if (Objects.equals(mine, emoji)) {
                return new Unchanged();
            }
            if (emoji == null) {
                try (PreparedStatement statement = connection.prepareStatement("DELETE FROM message_reaction"
                        + " WHERE conversation_id = ? AND seq = ? AND uid = ?")) {
                    statement.setString(1, message.conversationId());
                    statement.setLong(2, message.seq());
                    statement.setLong(3, uid);
                    statement.executeUpdate();
                }
            } else {
                long distinct = before.stream().filter(r -> r.uid() != uid).map(Reaction::emoji).distinct().count();
                boolean known = before.stream().anyMatch(r -> r.uid() != uid && r.emoji().equals(emoji));
                if (!known && distinct >= maxEmoji) {
                    return new TooManyEmoji((int) distinct);
                }
                try (PreparedStatement statement = connection.prepareStatement("REPLACE INTO message_reaction"
                        + " (conversation_id, seq, uid, emoji, reacted_at) VALUES (?, ?, ?, ?, ?)")) {
                    statement.setString(1, message.conversationId());
                    statement.setLong(2, message.seq());
                    statement.setLong(3, uid);
                    statement.setString(4, emoji);
                    statement.setLong(5, now);
                    statement.executeUpdate();
                }
            }
            List<Reaction> after = reactions(connection, message);
            byte[] encoded = after.isEmpty() ? null : aggregate.apply(after);
            try (PreparedStatement statement = connection.prepareStatement("UPDATE message SET reactions = ?,"
                    + " version = ? WHERE msg_id = ?")) {
                statement.setBytes(1, encoded);
                statement.setLong(2, version);
                statement.setLong(3, message.msgId());
                statement.executeUpdate();
            }
            RowVersions.touch(connection, message.conversationId(), version, groupId, message.senderUid(), peerUid,
                    now);
            return new Reacted(version, encoded == null ? new byte[0] : encoded);
        });
    }

    /**
     * Replaces the content of {@code message} (which must still be as read: same version, not recalled), keeping
     * the replaced content in the edit history.
     *
     * @return true if it was edited, false if the message changed meanwhile (nothing written)
     */
    public boolean edit(MessageRecord message, byte[] content, long version, long editedAt, long groupId,
            long peerUid) {
        String what = "edit of message " + message.msgId() + " (seq " + message.seq() + ") of "
                + message.conversationId();
        return Transactions.run(dataSource, what, connection -> {
            int changed;
            try (PreparedStatement statement = connection.prepareStatement("UPDATE message SET content = ?,"
                    + " version = ?, edited_at = ? WHERE msg_id = ? AND version = ? AND status = ?")) {
                statement.setBytes(1, content);
                statement.setLong(2, version);
                statement.setLong(3, editedAt);
                statement.setLong(4, message.msgId());
                statement.setLong(5, message.version());
                statement.setInt(6, MessageRecord.STATUS_NORMAL);
                changed = statement.executeUpdate();
            }
            if (changed == 0) {
                return false;
            }
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO message_edit (msg_id,"
                    + " replaced_version, previous_content, edited_at) VALUES (?, ?, ?, ?)")) {
                statement.setLong(1, message.msgId());
                statement.setLong(2, message.version());
                statement.setBytes(3, message.content());
                statement.setLong(4, editedAt);
                statement.executeUpdate();
            }
            RowVersions.touch(connection, message.conversationId(), version, groupId, message.senderUid(), peerUid,
                    editedAt);
            return true;
        });
    }

    /** The contents an edit replaced, oldest first (the edit history of a message). */
    public List<byte[]> previousContents(long msgId) {
        return Transactions.run(dataSource, "edit history of message " + msgId, connection -> {
            List<byte[]> contents = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT previous_content FROM message_edit"
                    + " WHERE msg_id = ? ORDER BY replaced_version")) {
                statement.setLong(1, msgId);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        contents.add(rs.getBytes(1));
                    }
                }
            }
            return contents;
        });
    }

    private static List<Reaction> reactions(Connection connection, MessageRecord message) throws SQLException {
        List<Reaction> all = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT uid, emoji FROM message_reaction"
                + " WHERE conversation_id = ? AND seq = ? ORDER BY reacted_at, uid FOR UPDATE")) {
            statement.setString(1, message.conversationId());
            statement.setLong(2, message.seq());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    all.add(new Reaction(rs.getLong(1), rs.getString(2)));
                }
            }
        }
        return all;
    }
}
