package io.magpie.das;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.SqlErrors;
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

    /** Most rows one upsert statement carries; larger batches take several statements. */
    public static final int MAX_ROWS_PER_STATEMENT = 1000;

    private static final String COLUMNS = "owner_uid, conversation_id, conversation_type, peer_id, version, sort_key,"
            + " last_seq, last_msg_id, read_seq, cleared_seq, muted, deleted, updated_at";

    // assignments run left to right and see earlier ones: compare with the old last_seq first
    private static final String UPSERT_TAIL = " ON DUPLICATE KEY UPDATE"
            + " last_msg_id = IF(VALUES(last_seq) > last_seq, VALUES(last_msg_id), last_msg_id),"
            + " deleted = IF(VALUES(last_seq) > last_seq, FALSE, deleted),"
            + " last_seq = GREATEST(last_seq, VALUES(last_seq)),"
            + " version = GREATEST(version, VALUES(version)),"
            + " read_seq = GREATEST(read_seq, VALUES(read_seq)),"
            + " updated_at = VALUES(updated_at)";

    private static final Comparator<ConversationUpdate> PRIMARY_KEY_ORDER =
            Comparator.comparingLong(ConversationUpdate::ownerUid).thenComparing(ConversationUpdate::conversationId);

    private final DataSource dataSource;
    private final Clock clock;
    private final MultiRowSql upsert = MultiRowSql.values("INSERT INTO conversation (owner_uid, conversation_id,"
            + " conversation_type, peer_id, version, last_seq, last_msg_id, read_seq, updated_at) VALUES ", 9,
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
        List<ConversationUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(PRIMARY_KEY_ORDER);
        long now = clock.millis();
        for (int from = 0; from < sorted.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<ConversationUpdate> chunk = sorted.subList(from, Math.min(sorted.size(), from + MAX_ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(upsert.forRows(chunk.size()))) {
                int p = 1;
                for (ConversationUpdate u : chunk) {
                    statement.setLong(p++, u.ownerUid());
                    statement.setString(p++, u.conversationId());
                    statement.setInt(p++, u.conversationType());
                    statement.setLong(p++, u.peerId());
                    statement.setLong(p++, u.version());
                    statement.setLong(p++, u.lastSeq());
                    statement.setLong(p++, u.lastMsgId());
                    // KEEP_READ_SEQ (-1) inserts 0 and, through GREATEST, leaves a stored value alone
                    statement.setLong(p++, Math.max(0, u.readSeq()));
                    statement.setLong(p++, now);
                }
                statement.executeUpdate();
            } catch (SQLException e) {
                throw SqlErrors.translate("upsert of " + chunk.size() + " conversation rows (first: owner "
                        + chunk.get(0).ownerUid() + " conversation " + chunk.get(0).conversationId() + ")", e);
            }
        }
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
                            rs.getLong(10), rs.getBoolean(11), rs.getBoolean(12), rs.getLong(13)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw SqlErrors.translate("read of " + what, e);
        }
    }
}
