package io.magpie.das;

import io.magpie.das.internal.Transactions;
import io.magpie.registry.StorageException;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * RECALL's write: in one transaction the message becomes a recalled placeholder (status
 * {@link MessageRecord#STATUS_RECALLED}, its content replaced, a new version) and every member's
 * conversation row gets a new version, so each device learns of it by SYNC; the rows keep their last
 * message, whose rendering is now the placeholder. Who may recall is the caller's decision.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class MessageRecalls {

    private final DataSource dataSource;
    private final Clock clock;

    /** @param clock stamps {@code updated_at} */
    public MessageRecalls(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Recalls {@code message} unless it already is.
     *
     * @param placeholder the content stored instead (protobuf {@code MessageContent} bytes)
     * @param version     the message's and the members' rows' new version
     * @param groupId     the group whose members' rows move, or 0 for a one-to-one conversation (both owners' rows)
     * @return true if this call recalled it, false if it was recalled already (nothing changed)
     */
    public boolean recall(MessageRecord message, byte[] placeholder, long version, long groupId, long peerUid) {
        return recall(message, placeholder, version, List.of(), groupId, peerUid);
    }

    /** A stored message's new content and version (a reply whose quoted message was recalled). */
    public record Rewrite(long msgId, byte[] content, long version) {
    }

    /**
     * Recalls {@code message} unless it already is, and in the same transaction rewrites the replies quoting it
     * ({@code replies}: their reference marked recalled, each with its own new version; replies recalled
     * meanwhile are left alone). The rows' version becomes the highest of them all.
     *
     * @return true if this call recalled it, false if it was recalled already (nothing changed)
     */
    public boolean recall(MessageRecord message, byte[] placeholder, long version, List<Rewrite> replies,
            long groupId, long peerUid) {
        return recall(message, placeholder, version, replies, groupId, peerUid, null);
    }

    /**
     * As {@link #recall(MessageRecord, byte[], long, List, long, long)}, and marks the upload {@code mediaId} the
     * message carries deleted in the same transaction (if its sender uploaded it for this conversation; null: none).
     */
    public boolean recall(MessageRecord message, byte[] placeholder, long version, List<Rewrite> replies,
            long groupId, long peerUid, String mediaId) {
        String what = "recall of message " + message.msgId() + " (seq " + message.seq() + ") of "
                + message.conversationId();
        return Transactions.run(dataSource, what, connection -> {
            int changed;
            // its reactions go with its content; the reaction rows stay for the record, unseen
            try (PreparedStatement statement = connection.prepareStatement("UPDATE message SET status = ?,"
                    + " content = ?, version = ?, reactions = NULL WHERE msg_id = ? AND status = ?")) {
                statement.setInt(1, MessageRecord.STATUS_RECALLED);
                statement.setBytes(2, placeholder);
                statement.setLong(3, version);
                statement.setLong(4, message.msgId());
                statement.setInt(5, MessageRecord.STATUS_NORMAL);
                changed = statement.executeUpdate();
            }
            if (changed > 0) {
                long newest = version;
                for (Rewrite r : replies) {
                    try (PreparedStatement statement = connection.prepareStatement("UPDATE message SET content = ?,"
                            + " version = ? WHERE msg_id = ? AND status = ?")) {
                        statement.setBytes(1, r.content());
                        statement.setLong(2, r.version());
                        statement.setLong(3, r.msgId());
                        statement.setInt(4, MessageRecord.STATUS_NORMAL);
                        statement.executeUpdate();
                    }
                    newest = Math.max(newest, r.version());
                }
                RowVersions.touch(connection, message.conversationId(), newest, groupId, message.senderUid(),
                        peerUid, clock.millis());
                if (mediaId != null) {
                    MediaObjects.markDeleted(connection, mediaId, message.conversationId(), message.senderUid(),
                            clock.millis());
                }
            }
            return changed > 0;
        });
    }
}
