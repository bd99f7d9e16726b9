package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.Parameters;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.StatementScript;
import io.magpie.das.internal.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Table {@code conversation}: each user's conversation list (write diffusion).
 *
 * <p>{@link #upsertBatch} applies a whole batch with one multi-row
 * {@code INSERT ... ON DUPLICATE KEY UPDATE} that never moves {@code last_seq}, {@code version} or
 * {@code read_seq} backwards: {@code last_msg_id} follows {@code last_seq} only when it rises, and a
 * new message brings a deleted conversation back. Rows are written in primary-key order so two
 * writers touching the same rows do not deadlock each other.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class ConversationRepository {

    // read diffusion applies to members only: a former member's row stops at the seq that removed them
    private static final String LARGE_GROUP_MEMBER = " AND EXISTS (SELECT 1 FROM group_member gm"
            + " WHERE gm.group_id = g.group_id AND gm.uid = c.owner_uid)";

    /** Most rows one upsert statement carries; larger batches take several statements. */
    public static final int MAX_ROWS_PER_STATEMENT = 1000;

    private static final String COLUMNS = "owner_uid, conversation_id, conversation_type, peer_id, version, sort_key,"
            + " last_seq, last_msg_id, read_seq, cleared_seq, muted, deleted, updated_at, peer_read_seq, mention_seq";

    // the conversation row merged with its large group's timeline (read diffusion), see syncSince
    private static final String SYNC_COLUMNS = "c.owner_uid, c.conversation_id, c.conversation_type, c.peer_id,"
            + " GREATEST(c.version, COALESCE(g.last_msg_id, 0)) AS sync_version, c.sort_key,"
            + " GREATEST(c.last_seq, COALESCE(g.last_seq, 0)) AS sync_last_seq,"
            + " IF(COALESCE(g.last_seq, 0) > c.last_seq, g.last_msg_id, c.last_msg_id) AS sync_last_msg_id,"
            + " c.read_seq, c.cleared_seq, c.muted,"
            + " (c.deleted AND COALESCE(g.last_seq, 0) <= c.last_seq) AS sync_deleted, c.updated_at, c.peer_read_seq,"
            + " c.mention_seq";

    // assignments run left to right and see earlier ones: compare with the old last_seq first
    private static final String UPSERT_TAIL = " ON DUPLICATE KEY UPDATE"
            + " last_msg_id = IF(VALUES(last_seq) > last_seq, VALUES(last_msg_id), last_msg_id),"
            + " deleted = IF(VALUES(last_seq) > last_seq, FALSE, deleted),"
            + " last_seq = GREATEST(last_seq, VALUES(last_seq)),"
            + " version = GREATEST(version, VALUES(version)),"
            + " read_seq = GREATEST(read_seq, VALUES(read_seq)),"
            + " mention_seq = GREATEST(mention_seq, VALUES(mention_seq)),"
            + " updated_at = VALUES(updated_at)";

    private static final Comparator<ConversationUpdate> PRIMARY_KEY_ORDER =
            Comparator.comparingLong(ConversationUpdate::ownerUid).thenComparing(ConversationUpdate::conversationId);

    private final DataSource dataSource;
    private final Clock clock;
    private final MultiRowSql upsert = MultiRowSql.values("INSERT INTO conversation (owner_uid, conversation_id,"
            + " conversation_type, peer_id, version, last_seq, last_msg_id, read_seq, mention_seq, updated_at) VALUES ", 10,
            UPSERT_TAIL, MAX_ROWS_PER_STATEMENT);

    /**
     * @param clock stamps {@code updated_at}
     */
    public ConversationRepository(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates or advances every row in the caller's transaction.
     *
     * @throws StorageException on failure
     */
    public void upsertBatch(Connection connection, List<ConversationUpdate> updates) {
        if (updates.isEmpty()) {
            return;
        }
        List<ConversationUpdate> sorted = sorted(updates);
        long now = clock.millis();
        for (int from = 0; from < sorted.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<ConversationUpdate> chunk = sorted.subList(from, Math.min(sorted.size(), from + MAX_ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(upsert.forRows(chunk.size()))) {
                bindRows(Parameters.of(statement), 1, chunk, now);
                statement.executeUpdate();
            } catch (SQLException e) {
                throw SqlErrors.translate("upsert of " + chunk.size() + " conversation rows (first: owner "
                        + chunk.get(0).ownerUid() + " conversation " + chunk.get(0).conversationId() + ")", e);
            }
        }
    }

    /**
     * Adds the upsert of {@code updates} to {@code script}, as {@link #upsertBatch} writes them; nothing for an
     * empty list. At most {@value #MAX_ROWS_PER_STATEMENT} rows: one statement.
     */
    void appendUpsert(StatementScript script, List<ConversationUpdate> updates) throws SQLException {
        if (updates.isEmpty()) {
            return;
        }
        if (updates.size() > MAX_ROWS_PER_STATEMENT) {
            throw new IllegalArgumentException(updates.size() + " conversation rows do not fit one upsert statement"
                    + " (at most " + MAX_ROWS_PER_STATEMENT + ")");
        }
        List<ConversationUpdate> sorted = sorted(updates);
        long now = clock.millis();
        script.add(upsert.forRows(sorted.size()), (statement, first) -> bindRows(statement, first, sorted, now));
    }

    private static List<ConversationUpdate> sorted(List<ConversationUpdate> updates) {
        List<ConversationUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(PRIMARY_KEY_ORDER);
        return sorted;
    }

    private static int bindRows(Parameters statement, int first, List<ConversationUpdate> rows, long now)
            throws SQLException {
        int p = first;
        for (ConversationUpdate u : rows) {
            statement.setLong(p++, u.ownerUid());
            statement.setString(p++, u.conversationId());
            statement.setInt(p++, u.conversationType());
            statement.setLong(p++, u.peerId());
            statement.setLong(p++, u.version());
            statement.setLong(p++, u.lastSeq());
            statement.setLong(p++, u.lastMsgId());
            // KEEP_READ_SEQ (-1) inserts 0 and, through GREATEST, leaves a stored value alone
            statement.setLong(p++, Math.max(0, u.readSeq()));
            statement.setLong(p++, u.mentionSeq());
            statement.setLong(p++, now);
        }
        return p;
    }

    /** One owner's row for a conversation. */
    public Optional<Conversation> find(long ownerUid, String conversationId) {
        List<Conversation> rows = query("conversation " + conversationId + " of owner " + ownerUid,
                "SELECT " + COLUMNS + " FROM conversation WHERE owner_uid = ? AND conversation_id = ?",
                statement -> {
                    statement.setLong(1, ownerUid);
                    statement.setString(2, conversationId);
                });
        return rows.stream().findFirst();
    }

    /**
     * The owner's rows changed after {@code sinceVersion} (SYNC), ascending by version, at most
     * {@code limit}; deleted rows are included so a client learns of the deletion.
     */
    public List<Conversation> findSince(long ownerUid, long sinceVersion, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return query("conversations of owner " + ownerUid + " since version " + sinceVersion,
                "SELECT " + COLUMNS + " FROM conversation WHERE owner_uid = ? AND version > ?"
                        + " ORDER BY version LIMIT ?",
                statement -> {
                    statement.setLong(1, ownerUid);
                    statement.setLong(2, sinceVersion);
                    statement.setInt(3, limit);
                });
    }

    /**
     * What SYNC returns: the owner's conversations changed after {@code sinceVersion}, ascending by
     * version (then conversation id), at most {@code limit}, deleted rows included. For a group
     * marked large (read diffusion: members' rows are not written per message) the group's
     * {@code last_seq} / {@code last_msg_id} are merged in when newer, and the returned version is the
     * greater of the row's version and the group's last msg id; so both paths give the same view and a
     * large group whose timeline moved counts as changed. The member's own state (read, cleared,
     * muted) always comes from the row.
     */
    public List<Conversation> syncSince(long ownerUid, long sinceVersion, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return query("changed conversations of owner " + ownerUid + " since version " + sinceVersion,
                "SELECT " + SYNC_COLUMNS + " FROM conversation c"
                        + " LEFT JOIN im_group g ON c.conversation_type = 2 AND g.group_id = c.peer_id AND g.large"
                        + LARGE_GROUP_MEMBER
                        + " WHERE c.owner_uid = ? AND c.version > ?"
                        + " UNION SELECT " + SYNC_COLUMNS + " FROM group_member m"
                        + " JOIN im_group g ON g.group_id = m.group_id AND g.large AND g.last_msg_id > ?"
                        + " JOIN conversation c ON c.owner_uid = m.uid"
                        + " AND c.conversation_id = CONCAT('g_', m.group_id)"
                        + " WHERE m.uid = ?"
                        + " ORDER BY sync_version, conversation_id LIMIT ?",
                statement -> {
                    statement.setLong(1, ownerUid);
                    statement.setLong(2, sinceVersion);
                    statement.setLong(3, sinceVersion);
                    statement.setLong(4, ownerUid);
                    statement.setInt(5, limit);
                });
    }

    /** A setting of one owner's conversation row, changed from any of their devices. */
    public enum Setting {
        /** {@code muted}: no push notifications, not in the total unread count. */
        MUTED("muted"),
        /** {@code sort_key}: 0, or when it was pinned (ms since the epoch; pinned rows sort first). */
        PINNED_AT("sort_key"),
        /** {@code deleted}: hidden from the list until a new message arrives. */
        HIDDEN("deleted");

        private final String column;

        Setting(String column) {
            this.column = column;
        }
    }

    /**
     * Sets one setting of the owner's row of a conversation (creating the row if the conversation has
     * none yet) and raises its version to {@code version}, so the change reaches the owner's other
     * devices by SYNC. For a group conversation's mute flag {@code group_member.muted} is set too, in
     * the same transaction (notifiers read either).
     *
     * @param conversationType protocol {@code ConversationType} number (1 single, 2 group)
     * @param peerId           peer uid (single) or group id (group), for a row created here
     * @param value            0/1 for a flag, the pin time for {@link Setting#PINNED_AT}
     */
    public void set(long ownerUid, String conversationId, int conversationType, long peerId, Setting setting,
            long value, long version) {
        String what = setting + "=" + value + " of conversation " + conversationId + " of owner " + ownerUid;
        Transactions.run(dataSource, what, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO conversation"
                    + " (owner_uid, conversation_id, conversation_type, peer_id, version, " + setting.column
                    + ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE " + setting.column
                    + " = VALUES(" + setting.column + "), version = GREATEST(version, VALUES(version)),"
                    + " updated_at = VALUES(updated_at)")) {
                statement.setLong(1, ownerUid);
                statement.setString(2, conversationId);
                statement.setInt(3, conversationType);
                statement.setLong(4, peerId);
                statement.setLong(5, version);
                statement.setLong(6, value);
                statement.setLong(7, clock.millis());
                statement.executeUpdate();
            }
            if (conversationType == 2 && setting == Setting.MUTED) {
                try (PreparedStatement statement = connection.prepareStatement(
                        "UPDATE group_member SET muted = ? WHERE group_id = ? AND uid = ?")) {
                    statement.setBoolean(1, value != 0);
                    statement.setLong(2, peerId);
                    statement.setLong(3, ownerUid);
                    statement.executeUpdate();
                }
            }
            return null;
        });
    }

    /** {@link #set} of {@link Setting#MUTED}. */
    public void setMuted(long ownerUid, String conversationId, int conversationType, long peerId, boolean muted,
            long version) {
        set(ownerUid, conversationId, conversationType, peerId, Setting.MUTED, muted ? 1 : 0, version);
    }

    /** Sets a statement's parameters. */
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private List<Conversation> query(String what, String sql, Binder binder) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            List<Conversation> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Conversation(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getLong(10), rs.getBoolean(11), rs.getBoolean(12), rs.getLong(13), rs.getLong(14),
                            rs.getLong(15)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw SqlErrors.translate("read of " + what, e);
        }
    }
}
