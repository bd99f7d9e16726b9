package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.Transactions;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * What one user hides of a conversation's history for themselves, on all their devices: DELETE (given
 * messages, table {@code message_hidden}) and CLEAR (everything up to a seq, {@code cleared_seq} of
 * their row). Others are unaffected. Each change raises the owner's row version so their other devices
 * learn it by SYNC.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class OwnHistory {

    /** Most seqs one DELETE may name. */
    public static final int MAX_SEQS = 100;

    private final DataSource dataSource;
    private final Clock clock;

    /** @param clock stamps {@code updated_at} */
    public OwnHistory(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The owner's row after a DELETE or CLEAR.
     *
     * @param version    the row's version now
     * @param clearedSeq the row's cleared-up-to seq now
     * @param newlyHidden DELETE: the seqs this call hid (empty: nothing new); CLEAR: empty
     * @param changed    whether this call changed the row (hid something, or raised the cleared seq)
     */
    public record Outcome(long version, long clearedSeq, Set<Long> newlyHidden, boolean changed) {

        public Outcome {
            newlyHidden = Set.copyOf(newlyHidden);
        }
    }

    /**
     * Hides the owner's view of the stored messages among {@code seqs} (unknown seqs are ignored).
     *
     * @return empty when the owner has no row of the conversation (not a member, or nothing sent yet)
     */
    public Optional<Outcome> delete(long ownerUid, String conversationId, Collection<Long> seqs, long version) {
        Set<Long> wanted = new TreeSet<>(seqs);
        if (wanted.isEmpty() || wanted.size() > MAX_SEQS) {
            throw new IllegalArgumentException("1-" + MAX_SEQS + " seqs, got " + wanted.size());
        }
        return inTransaction("delete of " + wanted.size() + " messages of " + conversationId + " for " + ownerUid,
                connection -> {
                    Optional<long[]> row = lockRow(connection, ownerUid, conversationId);
                    if (row.isEmpty()) {
                        return Optional.empty();
                    }
                    Set<Long> before = hidden(connection, ownerUid, conversationId, wanted);
                    String in = "?,".repeat(wanted.size() - 1) + "?";
                    try (PreparedStatement statement = connection.prepareStatement("INSERT IGNORE INTO message_hidden"
                            + " (owner_uid, conversation_id, seq, version) SELECT ?, conversation_id, seq, ?"
                            + " FROM message WHERE conversation_id = ? AND seq IN (" + in + ")")) {
                        int p = 1;
                        statement.setLong(p++, ownerUid);
                        statement.setLong(p++, version);
                        statement.setString(p++, conversationId);
                        for (long seq : wanted) {
                            statement.setLong(p++, seq);
                        }
                        statement.executeUpdate();
                    }
                    Set<Long> changed = hidden(connection, ownerUid, conversationId, wanted);
                    changed.removeAll(before);
                    long rowVersion = changed.isEmpty() ? row.get()[0]
                            : touch(connection, ownerUid, conversationId, version);
                    return Optional.of(new Outcome(rowVersion, row.get()[1], changed, !changed.isEmpty()));
                });
    }

    /**
     * Raises the owner's cleared seq to {@code upToSeq} (0: the newest message), never past the last seq
     * and never down.
     *
     * @return empty when the owner has no row of the conversation
     */
    public Optional<Outcome> clear(long ownerUid, String conversationId, long upToSeq, long version) {
        return inTransaction("clear of " + conversationId + " up to " + upToSeq + " for " + ownerUid, connection -> {
            Optional<long[]> row = lockRow(connection, ownerUid, conversationId);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            long target;
            try (PreparedStatement statement = connection.prepareStatement("SELECT GREATEST(c.last_seq,"
                    + " COALESCE(g.last_seq, 0)) FROM conversation c LEFT JOIN im_group g ON c.conversation_type = 2"
                    + " AND g.group_id = c.peer_id WHERE c.owner_uid = ? AND c.conversation_id = ?")) {
                statement.setLong(1, ownerUid);
                statement.setString(2, conversationId);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    long last = rs.getLong(1);
                    target = upToSeq <= 0 ? last : Math.min(upToSeq, last);
                }
            }
            if (target <= row.get()[1]) {
                return Optional.of(new Outcome(row.get()[0], row.get()[1], Set.of(), false));
            }
            try (PreparedStatement statement = connection.prepareStatement("UPDATE conversation SET cleared_seq = ?,"
                    + " version = GREATEST(version, ?), updated_at = ? WHERE owner_uid = ? AND conversation_id = ?")) {
                statement.setLong(1, target);
                statement.setLong(2, version);
                statement.setLong(3, clock.millis());
                statement.setLong(4, ownerUid);
                statement.setString(5, conversationId);
                statement.executeUpdate();
            }
            return Optional.of(new Outcome(Math.max(row.get()[0], version), target, Set.of(), true));
        });
    }

    /** The seqs of {@code fromSeq..toSeq} the owner deleted for themselves. */
    public Set<Long> hiddenIn(long ownerUid, String conversationId, long fromSeq, long toSeq) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT seq FROM message_hidden"
                     + " WHERE owner_uid = ? AND conversation_id = ? AND seq BETWEEN ? AND ?")) {
            statement.setLong(1, ownerUid);
            statement.setString(2, conversationId);
            statement.setLong(3, fromSeq);
            statement.setLong(4, toSeq);
            return seqs(statement);
        } catch (SQLException e) {
            throw SqlErrors.translate("hidden messages " + fromSeq + ".." + toSeq + " of " + conversationId
                    + " for " + ownerUid, e);
        }
    }

    /** A message the owner deleted for themselves, and the owner's row version when they did. */
    public record Hidden(long seq, long version) {
    }

    /** The owner's deletions in the conversation after {@code sinceVersion}, ascending by version, at most {@code limit}. */
    public List<Hidden> hiddenSince(long ownerUid, String conversationId, long sinceVersion, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT seq, version FROM message_hidden"
                     + " WHERE owner_uid = ? AND conversation_id = ? AND version > ? ORDER BY version, seq LIMIT ?")) {
            statement.setLong(1, ownerUid);
            statement.setString(2, conversationId);
            statement.setLong(3, sinceVersion);
            statement.setInt(4, limit);
            List<Hidden> found = new java.util.ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    found.add(new Hidden(rs.getLong(1), rs.getLong(2)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw SqlErrors.translate("deletions of " + conversationId + " for " + ownerUid + " since version "
                    + sinceVersion, e);
        }
    }

    /** Of the given (conversation id -> seq) pairs, the conversations whose seq the owner deleted. */
    public Set<String> hiddenAmong(long ownerUid, Map<String, Long> seqByConversation) {
        Set<String> found = new HashSet<>();
        if (seqByConversation.isEmpty()) {
            return found;
        }
        List<Map.Entry<String, Long>> pairs = List.copyOf(seqByConversation.entrySet());
        String one = "(conversation_id = ? AND seq = ?)";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT conversation_id FROM message_hidden"
                     + " WHERE owner_uid = ? AND (" + String.join(" OR ", java.util.Collections.nCopies(pairs.size(),
                     one)) + ")")) {
            int p = 1;
            statement.setLong(p++, ownerUid);
            for (Map.Entry<String, Long> e : pairs) {
                statement.setString(p++, e.getKey());
                statement.setLong(p++, e.getValue());
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        } catch (SQLException e) {
            throw SqlErrors.translate("hidden last messages of " + pairs.size() + " conversations for " + ownerUid, e);
        }
    }

    /** {version, cleared_seq} of the owner's row, locked; empty if there is none. */
    private static Optional<long[]> lockRow(Connection connection, long ownerUid, String conversationId)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT version, cleared_seq FROM conversation"
                + " WHERE owner_uid = ? AND conversation_id = ? FOR UPDATE")) {
            statement.setLong(1, ownerUid);
            statement.setString(2, conversationId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(new long[] {rs.getLong(1), rs.getLong(2)}) : Optional.empty();
            }
        }
    }

    /** Raises the row's version to {@code version} (a fresh id, above the stored one) and returns it. */
    private long touch(Connection connection, long ownerUid, String conversationId, long version) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE conversation SET"
                + " version = GREATEST(version, ?), updated_at = ? WHERE owner_uid = ? AND conversation_id = ?")) {
            statement.setLong(1, version);
            statement.setLong(2, clock.millis());
            statement.setLong(3, ownerUid);
            statement.setString(4, conversationId);
            statement.executeUpdate();
        }
        return version;
    }

    private static Set<Long> hidden(Connection connection, long ownerUid, String conversationId, Set<Long> among)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT seq FROM message_hidden"
                + " WHERE owner_uid = ? AND conversation_id = ? AND seq IN (" + "?,".repeat(among.size() - 1) + "?)")) {
            int p = 1;
            statement.setLong(p++, ownerUid);
            statement.setString(p++, conversationId);
            for (long seq : among) {
                statement.setLong(p++, seq);
            }
            return seqs(statement);
        }
    }

    private static Set<Long> seqs(PreparedStatement statement) throws SQLException {
        Set<Long> seqs = new TreeSet<>();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                seqs.add(rs.getLong(1));
            }
        }
        return seqs;
    }

    private <T> T inTransaction(String what, Transactions.Work<T> work) {
        return Transactions.run(dataSource, what, work);
    }
}
