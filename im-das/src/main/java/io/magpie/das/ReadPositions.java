package io.magpie.das;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.Transactions;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Read positions (READ) and read receipts, a whole batch per transaction: one multi-row UPDATE moves
 * the readers' rows, one SELECT reads them back, one multi-row UPDATE moves the peers' view of the
 * reader (one-to-one receipts). A read position only rises and never passes the conversation's last
 * seq (for a large group, the group's); a READ on a conversation the reader has no row of changes
 * nothing (the caller answers it).
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class ReadPositions {

    /** Most rows one statement carries; larger batches take several statements. */
    public static final int MAX_ROWS_PER_STATEMENT = 500;

    // the clamp: the row's own last seq, or the large group's, which read diffusion keeps on im_group
    private static final String CLAMPED = "LEAST(r.seq, GREATEST(c.last_seq, COALESCE(g.last_seq, 0)))";

    private static final MultiRowSql MOVE_READERS = new MultiRowSql(
            "UPDATE conversation c JOIN (",
            "SELECT ? AS owner_uid, ? AS conversation_id, ? AS seq, ? AS version", " UNION ALL ",
            ") r ON c.owner_uid = r.owner_uid AND c.conversation_id = r.conversation_id"
                    + " LEFT JOIN im_group g ON c.conversation_type = 2 AND g.group_id = c.peer_id"
                    + " SET c.read_seq = " + CLAMPED + ", c.version = GREATEST(c.version, r.version),"
                    + " c.updated_at = ? WHERE c.read_seq < " + CLAMPED,
            MAX_ROWS_PER_STATEMENT);

    private static final MultiRowSql MOVE_PEERS = new MultiRowSql(
            "UPDATE conversation c JOIN (",
            "SELECT ? AS owner_uid, ? AS conversation_id, ? AS seq, ? AS version", " UNION ALL ",
            ") r ON c.owner_uid = r.owner_uid AND c.conversation_id = r.conversation_id"
                    + " SET c.peer_read_seq = r.seq, c.version = GREATEST(c.version, r.version), c.updated_at = ?"
                    + " WHERE c.peer_read_seq < r.seq",
            MAX_ROWS_PER_STATEMENT);

    // the locking read touches the conversation rows only: locking im_group rows would stall group sends
    private static final MultiRowSql LOCK_ROWS = new MultiRowSql(
            "SELECT c.owner_uid, c.conversation_id, c.conversation_type, c.peer_id, c.read_seq, c.version,"
                    + " c.cleared_seq, c.last_seq FROM conversation c WHERE (c.owner_uid, c.conversation_id) IN (",
            "(?, ?)", ", ", ") ORDER BY c.owner_uid, c.conversation_id FOR UPDATE", MAX_ROWS_PER_STATEMENT);

    private static final MultiRowSql READ_BACK = new MultiRowSql(
            "SELECT c.owner_uid, c.conversation_id, c.conversation_type, c.peer_id, c.read_seq, c.version,"
                    + " c.cleared_seq, GREATEST(c.last_seq, COALESCE(g.last_seq, 0)) FROM conversation c"
                    + " LEFT JOIN im_group g ON c.conversation_type = 2 AND g.group_id = c.peer_id AND g.large"
                    + " WHERE (c.owner_uid, c.conversation_id) IN (",
            "(?, ?)", ", ", ")", MAX_ROWS_PER_STATEMENT);

    private final DataSource dataSource;
    private final Clock clock;

    /** @param clock stamps {@code updated_at} */
    public ReadPositions(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A peer's row to move because its reader's position moved (a one-to-one read receipt). */
    public record PeerMark(long peerUid, String conversationId, long readSeq, long version) {
    }

    /** What a batch of reads did. */
    public record Outcome(List<ReadState> states) {

        public Outcome {
            states = List.copyOf(states);
        }
    }

    /**
     * Applies {@code marks} (at most one per owner and conversation) in one transaction, then, in the
     * same transaction, the receipts {@code receipts} computes from the moved rows.
     *
     * @param receipts from the readers' rows that moved, the peers' rows to move (empty: none)
     * @return the readers' rows as stored after the batch; a mark whose owner has no such row is absent
     * @throws StorageException on failure (nothing was written)
     */
    public Outcome apply(List<ReadMark> marks, java.util.function.Function<List<ReadState>, List<PeerMark>> receipts) {
        if (marks.isEmpty()) {
            return new Outcome(List.of());
        }
        String what = "read positions of " + marks.size() + " conversations (first: owner " + marks.get(0).ownerUid()
                + " conversation " + marks.get(0).conversationId() + ")";
        return Transactions.run(dataSource, what, connection -> {
            Map<String, Long> before = readBack(connection, marks, true);
            long now = clock.millis();
            for (int from = 0; from < marks.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<ReadMark> chunk = marks.subList(from, Math.min(marks.size(), from + MAX_ROWS_PER_STATEMENT));
                try (PreparedStatement statement = connection.prepareStatement(MOVE_READERS.forRows(chunk.size()))) {
                    int p = 1;
                    for (ReadMark m : chunk) {
                        statement.setLong(p++, m.ownerUid());
                        statement.setString(p++, m.conversationId());
                        statement.setLong(p++, m.readSeq());
                        statement.setLong(p++, m.version());
                    }
                    statement.setLong(p, now);
                    statement.executeUpdate();
                }
            }
            List<ReadState> states = states(connection, marks, before);
            List<PeerMark> peers = receipts.apply(states.stream().filter(ReadState::moved).toList());
            movePeers(connection, peers, now);
            return new Outcome(states);
        });
    }

    /**
     * Who of a group has read its message at {@code seq}: members who joined at or before it, share
     * read receipts and are not its sender, split by whether their read position reached it.
     *
     * @param listReaders false: counts only (large groups), {@link GroupReceipts#readers()} empty
     */
    public GroupReceipts groupReceipts(long groupId, String conversationId, long seq, long senderUid,
            boolean listReaders) {
        String from = " FROM group_member m JOIN account a ON a.uid = m.uid AND a.read_receipts"
                + " LEFT JOIN conversation c ON c.owner_uid = m.uid AND c.conversation_id = ?"
                + " WHERE m.group_id = ? AND m.join_seq <= ? AND m.uid <> ?";
        String sql = listReaders ? "SELECT m.uid, COALESCE(c.read_seq, 0) >= ?" + from + " ORDER BY m.uid"
                : "SELECT COALESCE(SUM(COALESCE(c.read_seq, 0) >= ?), 0), COUNT(*)" + from;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, seq);
            statement.setString(2, conversationId);
            statement.setLong(3, groupId);
            statement.setLong(4, seq);
            statement.setLong(5, senderUid);
            long read = 0;
            long all = 0;
            List<Long> readers = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (listReaders) {
                        all++;
                        if (rs.getBoolean(2)) {
                            read++;
                            readers.add(rs.getLong(1));
                        }
                    } else {
                        read = rs.getLong(1);
                        all = rs.getLong(2);
                    }
                }
            }
            return new GroupReceipts(read, all - read, readers);
        } catch (SQLException e) {
            throw SqlErrors.translate("read receipts of seq " + seq + " of group " + groupId, e);
        }
    }

    /** Read receipts of one group message: counts, and the readers' uids when listed. */
    public record GroupReceipts(long readCount, long unreadCount, List<Long> readers) {

        public GroupReceipts {
            readers = List.copyOf(readers);
        }
    }

    /** The uids among {@code uids} that hide read receipts (neither send nor see them). */
    public Set<Long> hidingReceipts(Collection<Long> uids) {
        List<Long> all = List.copyOf(new LinkedHashSet<>(uids));
        Set<Long> hiding = new HashSet<>();
        if (all.isEmpty()) {
            return hiding;
        }
        try (Connection connection = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_ROWS_PER_STATEMENT));
                try (PreparedStatement statement = connection.prepareStatement("SELECT uid FROM account WHERE uid IN ("
                        + "?,".repeat(chunk.size() - 1) + "?) AND NOT read_receipts")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        statement.setLong(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            hiding.add(rs.getLong(1));
                        }
                    }
                }
            }
            return hiding;
        } catch (SQLException e) {
            throw SqlErrors.translate("read-receipt settings of " + all.size() + " users", e);
        }
    }

    /**
     * Turns the user's read receipts on or off. Off also clears what their rows show of their peers'
     * positions and what their peers' rows show of theirs, so neither side keeps a stale receipt.
     *
     * @return false if the user does not exist
     */
    public boolean setReceipts(long uid, boolean enabled, long version) {
        return Transactions.run(dataSource, "read receipts=" + enabled + " of user " + uid, connection -> {
            int found;
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE account SET read_receipts = ?, updated_at = ? WHERE uid = ?")) {
                statement.setBoolean(1, enabled);
                statement.setLong(2, clock.millis());
                statement.setLong(3, uid);
                found = statement.executeUpdate();
            }
            if (found > 0 && !enabled) {
                try (PreparedStatement statement = connection.prepareStatement(
                        "UPDATE conversation SET peer_read_seq = 0, version = GREATEST(version, ?)"
                                + " WHERE conversation_type = 1 AND peer_read_seq > 0"
                                + " AND (owner_uid = ? OR peer_id = ?)")) {
                    statement.setLong(1, version);
                    statement.setLong(2, uid);
                    statement.setLong(3, uid);
                    statement.executeUpdate();
                }
            }
            return found > 0;
        });
    }

    private void movePeers(Connection connection, List<PeerMark> peers, long now) throws SQLException {
        for (int from = 0; from < peers.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<PeerMark> chunk = peers.subList(from, Math.min(peers.size(), from + MAX_ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(MOVE_PEERS.forRows(chunk.size()))) {
                int p = 1;
                for (PeerMark m : chunk) {
                    statement.setLong(p++, m.peerUid());
                    statement.setString(p++, m.conversationId());
                    statement.setLong(p++, m.readSeq());
                    statement.setLong(p++, m.version());
                }
                statement.setLong(p, now);
                statement.executeUpdate();
            }
        }
    }

    /** owner/conversation -> read seq, locking the rows ({@code FOR UPDATE}) when asked. */
    private static Map<String, Long> readBack(Connection connection, List<ReadMark> marks, boolean lock)
            throws SQLException {
        Map<String, Long> seqs = new HashMap<>();
        for (ReadState s : select(connection, marks, lock)) {
            seqs.put(key(s.ownerUid(), s.conversationId()), s.readSeq());
        }
        return seqs;
    }

    private static List<ReadState> states(Connection connection, List<ReadMark> marks, Map<String, Long> before)
            throws SQLException {
        List<ReadState> states = new ArrayList<>();
        for (ReadState s : select(connection, marks, false)) {
            Long old = before.get(key(s.ownerUid(), s.conversationId()));
            states.add(new ReadState(s.ownerUid(), s.conversationId(), s.conversationType(), s.peerId(), s.readSeq(),
                    s.version(), old != null && s.readSeq() > old, s.clearedSeq(), s.lastSeq()));
        }
        return states;
    }

    private static List<ReadState> select(Connection connection, List<ReadMark> marks, boolean lock)
            throws SQLException {
        List<ReadState> rows = new ArrayList<>();
        for (int from = 0; from < marks.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<ReadMark> chunk = marks.subList(from, Math.min(marks.size(), from + MAX_ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(
                    (lock ? LOCK_ROWS : READ_BACK).forRows(chunk.size()))) {
                int p = 1;
                for (ReadMark m : chunk) {
                    statement.setLong(p++, m.ownerUid());
                    statement.setString(p++, m.conversationId());
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new ReadState(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                                rs.getLong(5), rs.getLong(6), false, rs.getLong(7), rs.getLong(8)));
                    }
                }
            }
        }
        return rows;
    }

    private static String key(long owner, String conversationId) {
        return owner + "/" + conversationId;
    }
}
