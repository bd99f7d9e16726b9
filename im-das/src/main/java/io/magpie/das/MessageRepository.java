package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.Parameters;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.StatementScript;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Table {@code message}: the one timeline of every conversation.
 *
 * <p>{@link #insertBatch} writes a whole batch with one multi-row INSERT (statement text built once
 * per row count). Only a batch above {@value #MAX_ROWS_PER_STATEMENT} rows or
 * {@value #MAX_CONTENT_BYTES_PER_STATEMENT} content bytes is split into several statements, to stay
 * below the server's {@code max_allowed_packet}; the caller's transaction still covers all of them.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Methods taking a {@link Connection} run
 * in the caller's transaction and leave the connection open; the others borrow one from the pool.
 * Every failure is a {@link StorageException} (chained driver exception, {@code retryable()} set).
 */
public final class MessageRepository {

    /** Most rows one INSERT statement carries. */
    public static final int MAX_ROWS_PER_STATEMENT = 1000;
    /** Most content bytes one INSERT statement carries (a single larger message still goes alone). */
    public static final int MAX_CONTENT_BYTES_PER_STATEMENT = 8 << 20;
    /** Most content bytes one {@link StatementScript} INSERT carries: written as hexadecimal, twice the size. */
    static final int MAX_SCRIPT_CONTENT_BYTES = 4 << 20;
    /** Most keys one lookup query carries. */
    static final int MAX_KEYS_PER_QUERY = 500;

    private static final String COLUMNS = "msg_id, conversation_id, conversation_type, seq, version, sender_uid,"
            + " sender_device_id, client_msg_id, msg_type, content, status, server_time";
    private static final String SELECT = "SELECT " + COLUMNS + ", reactions, edited_at FROM message ";
    private static final String UK_CONVERSATION_SEQ = "uk_message_conversation_seq";
    private static final String UK_SENDER_CLIENT_MSG = "uk_message_sender_client_msg";

    private final DataSource dataSource;
    private final MultiRowSql insert = MultiRowSql.values("INSERT INTO message (" + COLUMNS + ") VALUES ", 12, "",
            MAX_ROWS_PER_STATEMENT);
    private final MultiRowSql byClientKeys = new MultiRowSql(SELECT + "WHERE ",
            "(sender_uid = ? AND client_msg_id = ?)", " OR ", "", MAX_KEYS_PER_QUERY);

    public MessageRepository(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Inserts every message in the caller's transaction.
     *
     * @return rows inserted
     * @throws DuplicateMessageException if a row collides with a stored one, naming the key
     * @throws StorageException          on any other failure
     */
    public int insertBatch(Connection connection, List<MessageRecord> messages) {
        int inserted = 0;
        int from = 0;
        while (from < messages.size()) {
            int to = chunkEnd(messages, from);
            inserted += insertChunk(connection, messages.subList(from, to));
            from = to;
        }
        return inserted;
    }

    /**
     * Records which messages quote which (table {@code message_reply}) in the caller's transaction; nothing for
     * an empty list (a batch without replies costs no statement).
     */
    public void insertReplies(Connection connection, List<ReplyLink> replies) {
        if (replies.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO message_reply (conversation_id,"
                + " quoted_seq, reply_msg_id) VALUES " + "(?, ?, ?),".repeat(replies.size() - 1) + "(?, ?, ?)")) {
            int p = 1;
            for (ReplyLink r : replies) {
                statement.setString(p++, r.conversationId());
                statement.setLong(p++, r.quotedSeq());
                statement.setLong(p++, r.replyMsgId());
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("insert of " + replies.size() + " reply links (first: conversation "
                    + replies.get(0).conversationId() + ", quoted seq " + replies.get(0).quotedSeq() + ")", e);
        }
    }

    /** The messages that quote the message at {@code quotedSeq} of the conversation, ascending by seq. */
    public List<MessageRecord> findReplies(String conversationId, long quotedSeq) {
        return query("replies to seq " + quotedSeq + " of conversation " + conversationId, SELECT
                + "WHERE conversation_id = ? AND msg_id IN (SELECT reply_msg_id FROM message_reply WHERE"
                + " conversation_id = ? AND quoted_seq = ?) ORDER BY seq", statement -> {
                    statement.setString(1, conversationId);
                    statement.setString(2, conversationId);
                    statement.setLong(3, quotedSeq);
                });
    }

    private static int chunkEnd(List<MessageRecord> messages, int from) {
        int to = from;
        long bytes = 0;
        while (to < messages.size() && to - from < MAX_ROWS_PER_STATEMENT) {
            bytes += messages.get(to).content().length;
            if (bytes > MAX_CONTENT_BYTES_PER_STATEMENT && to > from) {
                break;
            }
            to++;
        }
        return to;
    }

    private int insertChunk(Connection connection, List<MessageRecord> rows) {
        try (PreparedStatement statement = connection.prepareStatement(insert.forRows(rows.size()))) {
            bindRows(Parameters.of(statement), 1, rows);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw translateInsert(e, rows);
        }
    }

    /**
     * Whether {@link #appendInsert} takes {@code messages}: at most {@value #MAX_ROWS_PER_STATEMENT} rows and
     * {@value #MAX_SCRIPT_CONTENT_BYTES} content bytes, which a script carries as hexadecimal, twice their size,
     * and stays below the smallest default {@code max_allowed_packet} (16 MiB, MariaDB's).
     */
    static boolean fitsOneScript(List<MessageRecord> messages) {
        if (messages.isEmpty() || messages.size() > MAX_ROWS_PER_STATEMENT) {
            return false;
        }
        long bytes = 0;
        for (MessageRecord m : messages) {
            bytes += m.content().length;
        }
        return bytes <= MAX_SCRIPT_CONTENT_BYTES;
    }

    /**
     * Adds the INSERT of {@code messages} to {@code script}; they must {@link #fitsOneScript fit one
     * script}. A failure of the script is translated by {@link #translateInsert}.
     */
    void appendInsert(StatementScript script, List<MessageRecord> messages) throws SQLException {
        if (!fitsOneScript(messages)) {
            throw new IllegalArgumentException(messages.size() + " messages do not fit one script's INSERT (at most "
                    + MAX_ROWS_PER_STATEMENT + " rows and " + MAX_SCRIPT_CONTENT_BYTES + " content bytes)");
        }
        script.add(insert.forRows(messages.size()), (statement, first) -> bindRows(statement, first, messages));
    }

    private static int bindRows(Parameters statement, int first, List<MessageRecord> rows)
            throws SQLException {
        int p = first;
        for (MessageRecord m : rows) {
            statement.setLong(p++, m.msgId());
            statement.setString(p++, m.conversationId());
            statement.setInt(p++, m.conversationType());
            statement.setLong(p++, m.seq());
            statement.setLong(p++, m.version());
            statement.setLong(p++, m.senderUid());
            statement.setString(p++, m.senderDeviceId());
            statement.setString(p++, m.clientMsgId());
            statement.setInt(p++, m.msgType());
            statement.setBytes(p++, m.content());
            statement.setInt(p++, m.status());
            statement.setLong(p++, m.serverTime());
        }
        return p;
    }

    /**
     * A failed INSERT of {@code rows} as a {@link DuplicateMessageException} naming the key it hit, or a
     * {@link StorageException}.
     */
    static StorageException translateInsert(SQLException e, List<MessageRecord> rows) {
        String what = "insert of " + rows.size() + " message rows (first: conversation "
                + rows.get(0).conversationId() + " seq " + rows.get(0).seq() + ")";
        if (SqlErrors.isDuplicateKey(e)) {
            String keyName = SqlErrors.duplicateKeyName(e).orElse("");
            if (keyName.equals(UK_CONVERSATION_SEQ)) {
                return new DuplicateMessageException(DuplicateMessageException.Key.CONVERSATION_SEQ, what
                        + " hit unique key (conversation_id, seq): " + e.getMessage() + "; another writer already"
                        + " stored that seq: reload the conversation's seq, and stop writing it if this writer"
                        + " no longer owns the conversation", e);
            }
            if (keyName.equals(UK_SENDER_CLIENT_MSG)) {
                return new DuplicateMessageException(DuplicateMessageException.Key.SENDER_CLIENT_MSG_ID, what
                        + " hit unique key (sender_uid, client_msg_id): " + e.getMessage() + "; the sender already"
                        + " sent that client message id: answer with the stored message (findByClientMsgIds)", e);
            }
            if (keyName.equals("PRIMARY")) {
                return new DuplicateMessageException(DuplicateMessageException.Key.MSG_ID, what
                        + " hit the primary key (msg_id): " + e.getMessage() + "; a message id was issued twice:"
                        + " check the snowflake worker id leases", e);
            }
        }
        return SqlErrors.translate(what, e);
    }

    /** The stored messages for these keys, borrowing a pooled connection. */
    public Map<SenderClientKey, MessageRecord> findByClientMsgIds(Collection<SenderClientKey> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        try (Connection connection = dataSource.getConnection()) {
            return findByClientMsgIds(connection, keys);
        } catch (SQLException e) {
            throw SqlErrors.translate("lookup of " + keys.size() + " messages by client message id", e);
        }
    }

    /**
     * The stored messages for these keys, in the caller's transaction; keys with no stored message
     * are absent from the result.
     */
    public Map<SenderClientKey, MessageRecord> findByClientMsgIds(Connection connection,
                                                                  Collection<SenderClientKey> keys) {
        List<SenderClientKey> all = List.copyOf(keys);
        Map<SenderClientKey, MessageRecord> found = new HashMap<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_QUERY) {
            List<SenderClientKey> chunk = all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_QUERY));
            try (PreparedStatement statement = connection.prepareStatement(byClientKeys.forRows(chunk.size()))) {
                bindKeys(Parameters.of(statement), 1, chunk);
                for (MessageRecord m : readAll(statement)) {
                    found.put(m.senderClientKey(), m);
                }
            } catch (SQLException e) {
                throw SqlErrors.translate("lookup of " + chunk.size() + " messages by client message id", e);
            }
        }
        return found;
    }

    /**
     * Adds the lookup of {@link #findByClientMsgIds} to {@code script}: the stored messages of {@code keys} (at most
     * {@value #MAX_KEYS_PER_QUERY}) go into {@code found} when it runs.
     */
    void appendLookup(StatementScript script, Collection<SenderClientKey> keys,
            Map<SenderClientKey, MessageRecord> found) throws SQLException {
        List<SenderClientKey> all = List.copyOf(keys);
        script.addQuery(byClientKeys.forRows(all.size()), (statement, first) -> bindKeys(statement, first, all),
                rows -> readRows(rows, m -> found.put(m.senderClientKey(), m)));
    }

    private static int bindKeys(Parameters statement, int first, List<SenderClientKey> keys) throws SQLException {
        int p = first;
        for (SenderClientKey key : keys) {
            statement.setLong(p++, key.senderUid());
            statement.setString(p++, key.clientMsgId());
        }
        return p;
    }

    /** The highest seq stored for the conversation, 0 if it has no message. */
    public long maxSeq(String conversationId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT MAX(seq) FROM message WHERE conversation_id = ?")) {
            statement.setString(1, conversationId);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1); // NULL (no message) reads as 0
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("max seq of conversation " + conversationId, e);
        }
    }

    /** Messages with {@code fromSeq <= seq <= toSeq}, ascending by seq, at most {@code limit}. */
    public List<MessageRecord> findRange(String conversationId, long fromSeq, long toSeq, int limit) {
        requirePositive(limit);
        return query("messages " + fromSeq + ".." + toSeq + " of conversation " + conversationId,
                SELECT + "WHERE conversation_id = ? AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?", statement -> {
                    statement.setString(1, conversationId);
                    statement.setLong(2, fromSeq);
                    statement.setLong(3, toSeq);
                    statement.setInt(4, limit);
                });
    }

    /** The ids among {@code msgIds} of messages that were recalled (a notifier skips them). */
    public Set<Long> recalledAmong(Collection<Long> msgIds) {
        List<Long> all = List.copyOf(new LinkedHashSet<>(msgIds));
        Set<Long> recalled = new java.util.HashSet<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_QUERY) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_QUERY));
            for (MessageRecord m : query(chunk.size() + " messages by id (recalled?)", SELECT + "WHERE msg_id IN ("
                    + "?,".repeat(chunk.size() - 1) + "?) AND status = " + MessageRecord.STATUS_RECALLED, statement -> {
                        for (int i = 0; i < chunk.size(); i++) {
                            statement.setLong(i + 1, chunk.get(i));
                        }
                    })) {
                recalled.add(m.msgId());
            }
        }
        return recalled;
    }

    /** The messages of the conversation at these seqs, ascending by seq; seqs with no message are absent. */
    public List<MessageRecord> findBySeqs(String conversationId, Collection<Long> seqs) {
        List<Long> all = List.copyOf(new java.util.TreeSet<>(seqs));
        List<MessageRecord> found = new ArrayList<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_QUERY) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_QUERY));
            found.addAll(query(chunk.size() + " messages by seq of conversation " + conversationId,
                    SELECT + "WHERE conversation_id = ? AND seq IN (" + "?,".repeat(chunk.size() - 1) + "?) ORDER BY seq",
                    statement -> {
                        statement.setString(1, conversationId);
                        for (int i = 0; i < chunk.size(); i++) {
                            statement.setLong(i + 2, chunk.get(i));
                        }
                    }));
        }
        return found;
    }

    /**
     * The newest messages with {@code fromSeq <= seq <= toSeq}, at most {@code limit}, ascending by seq
     * (history paging backwards).
     */
    public List<MessageRecord> findRangeNewest(String conversationId, long fromSeq, long toSeq, int limit) {
        requirePositive(limit);
        List<MessageRecord> newestFirst = query("newest messages " + fromSeq + ".." + toSeq + " of conversation "
                        + conversationId,
                SELECT + "WHERE conversation_id = ? AND seq BETWEEN ? AND ? ORDER BY seq DESC LIMIT ?", statement -> {
                    statement.setString(1, conversationId);
                    statement.setLong(2, fromSeq);
                    statement.setLong(3, toSeq);
                    statement.setInt(4, limit);
                });
        List<MessageRecord> ascending = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(ascending);
        return ascending;
    }

    /**
     * Messages whose version is above {@code sinceVersion} (recalled, deleted, edited or new),
     * ascending by version then seq, at most {@code limit}.
     */
    public List<MessageRecord> findSinceVersion(String conversationId, long sinceVersion, int limit) {
        requirePositive(limit);
        return query("messages since version " + sinceVersion + " of conversation " + conversationId,
                SELECT + "WHERE conversation_id = ? AND version > ? ORDER BY version, seq LIMIT ?", statement -> {
                    statement.setString(1, conversationId);
                    statement.setLong(2, sinceVersion);
                    statement.setInt(3, limit);
                });
    }

    /**
     * The messages with these ids (e.g. the last message of each conversation in a SYNC answer), by
     * id; ids with no stored message are absent.
     */
    public Map<Long, MessageRecord> findByIds(Collection<Long> msgIds) {
        List<Long> all = List.copyOf(new LinkedHashSet<>(msgIds));
        Map<Long, MessageRecord> found = new HashMap<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_QUERY) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_QUERY));
            for (MessageRecord m : query(chunk.size() + " messages by id",
                    SELECT + "WHERE msg_id IN (" + "?,".repeat(chunk.size() - 1) + "?)", statement -> {
                        for (int i = 0; i < chunk.size(); i++) {
                            statement.setLong(i + 1, chunk.get(i));
                        }
                    })) {
                found.put(m.msgId(), m);
            }
        }
        return found;
    }

    /** Sets a statement's parameters. */
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private List<MessageRecord> query(String what, String sql, Binder binder) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            return readAll(statement);
        } catch (SQLException e) {
            throw SqlErrors.translate("read of " + what, e);
        }
    }

    private static List<MessageRecord> readAll(PreparedStatement statement) throws SQLException {
        List<MessageRecord> rows = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
            readRows(rs, rows::add);
        }
        return rows;
    }

    /** Each row of a {@link #SELECT} of message rows, as a record. */
    private static void readRows(ResultSet rs, Consumer<MessageRecord> into) throws SQLException {
        while (rs.next()) {
            into.accept(new MessageRecord(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                    rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getString(8), rs.getInt(9),
                    rs.getBytes(10), rs.getInt(11), rs.getLong(12), rs.getBytes(13), rs.getLong(14)));
        }
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }
}
