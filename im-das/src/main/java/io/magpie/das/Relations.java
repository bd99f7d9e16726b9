package io.magpie.das;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.Parameters;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.StatementScript;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * The read side of who relates to whom (friends and blocks) that the message path, presence and
 * group administration ask; the writes and the friend-request flow live with the friend and block
 * APIs. Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class Relations {

    /** Most uids one statement carries; more take several statements. */
    public static final int MAX_ROWS_PER_STATEMENT = 500;

    private static final MultiRowSql BLOCKERS = new MultiRowSql(
            "SELECT owner_uid FROM user_block WHERE blocked_uid = ? AND owner_uid IN (", "?", ", ", ")",
            MAX_ROWS_PER_STATEMENT);
    private static final MultiRowSql BLOCKED = new MultiRowSql(
            "SELECT blocked_uid FROM user_block WHERE owner_uid = ? AND blocked_uid IN (", "?", ", ", ")",
            MAX_ROWS_PER_STATEMENT);

    // one row per (sender, recipient) pair; only refused pairs come back. Recipients without an account
    // drop out of the join: the caller refuses those as unknown users first.
    private static final MultiRowSql DIRECT_REFUSALS = new MultiRowSql(
            "SELECT p.sender, p.recipient, EXISTS (SELECT 1 FROM user_block b WHERE b.owner_uid = p.recipient"
                    + " AND b.blocked_uid = p.sender) FROM (",
            "SELECT ? AS sender, ? AS recipient", " UNION ALL ",
            ") p JOIN account a ON a.uid = p.recipient WHERE EXISTS (SELECT 1 FROM user_block b"
                    + " WHERE b.owner_uid = p.recipient AND b.blocked_uid = p.sender) OR (a.dm_policy = 1 AND NOT"
                    + " EXISTS (SELECT 1 FROM friend f WHERE f.owner_uid = p.recipient AND f.friend_uid = p.sender"
                    + " AND NOT f.deleted))",
            MAX_ROWS_PER_STATEMENT);

    /** A one-to-one SEND's sender and recipient. */
    public record DirectPair(long senderUid, long recipientUid) {
    }

    /** Why a one-to-one SEND is refused. */
    public enum DirectRefusal {
        /** The recipient blocked the sender. */
        BLOCKED,
        /** The recipient takes one-to-one messages from friends only and the sender is not one. */
        NOT_FRIEND
    }

    private final DataSource dataSource;

    public Relations(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The current friends of {@code uid} (removed friendships excluded), ascending. */
    public List<Long> friends(long uid) {
        List<Long> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT friend_uid FROM friend WHERE owner_uid = ? AND NOT deleted ORDER BY friend_uid")) {
            ps.setLong(1, uid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the friends of uid " + uid, e);
        }
    }

    /**
     * For the one-to-one SENDs of a batch: the pairs whose recipient refuses the sender (BLOCKED before
     * NOT_FRIEND), one statement per {@link #MAX_ROWS_PER_STATEMENT} pairs. Pairs absent from the answer may
     * send; so may pairs whose recipient has no account (the caller refuses those).
     */
    public Map<DirectPair, DirectRefusal> directRefusals(Collection<DirectPair> pairs) {
        Map<DirectPair, DirectRefusal> out = new HashMap<>();
        if (pairs.isEmpty()) {
            return out;
        }
        List<DirectPair> all = List.copyOf(new LinkedHashSet<>(pairs));
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<DirectPair> chunk = all.subList(from, Math.min(all.size(), from + MAX_ROWS_PER_STATEMENT));
                try (PreparedStatement ps = c.prepareStatement(DIRECT_REFUSALS.forRows(chunk.size()))) {
                    bindPairs(Parameters.of(ps), 1, chunk);
                    try (ResultSet rs = ps.executeQuery()) {
                        readRefusals(rs, out);
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading blocks and direct message policies for " + all.size()
                    + " one-to-one sender/recipient pairs", e);
        }
    }

    /**
     * Adds the read of {@link #directRefusals} to {@code script}: the refused pairs among {@code pairs} (at most
     * {@value #MAX_ROWS_PER_STATEMENT}, distinct) go into {@code out} when it runs.
     */
    static void appendDirectRefusals(StatementScript script, Collection<DirectPair> pairs,
            Map<DirectPair, DirectRefusal> out) throws SQLException {
        List<DirectPair> all = List.copyOf(pairs);
        script.addQuery(DIRECT_REFUSALS.forRows(all.size()), (statement, first) -> bindPairs(statement, first, all),
                rows -> readRefusals(rows, out));
    }

    private static int bindPairs(Parameters statement, int first, List<DirectPair> pairs) throws SQLException {
        int i = first;
        for (DirectPair p : pairs) {
            statement.setLong(i++, p.senderUid());
            statement.setLong(i++, p.recipientUid());
        }
        return i;
    }

    private static void readRefusals(ResultSet rs, Map<DirectPair, DirectRefusal> out) throws SQLException {
        while (rs.next()) {
            out.put(new DirectPair(rs.getLong(1), rs.getLong(2)),
                    rs.getBoolean(3) ? DirectRefusal.BLOCKED : DirectRefusal.NOT_FRIEND);
        }
    }

    /** Of {@code candidates}, those who blocked {@code uid} (empty when none did). */
    public Set<Long> blockersAmong(long uid, Collection<Long> candidates) {
        return among(BLOCKERS, uid, candidates, "who of %d users blocked uid %d");
    }

    /** Of {@code candidates}, those whom {@code uid} blocked (empty when none). */
    public Set<Long> blockedAmong(long uid, Collection<Long> candidates) {
        return among(BLOCKED, uid, candidates, "whom of %d users uid %d blocked");
    }

    private Set<Long> among(MultiRowSql sql, long uid, Collection<Long> candidates, String what) {
        Set<Long> out = new HashSet<>();
        if (candidates.isEmpty()) {
            return out;
        }
        List<Long> all = List.copyOf(candidates);
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_ROWS_PER_STATEMENT));
                try (PreparedStatement ps = c.prepareStatement(sql.forRows(chunk.size()))) {
                    ps.setLong(1, uid);
                    int i = 2;
                    for (long candidate : chunk) {
                        ps.setLong(i++, candidate);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getLong(1));
                        }
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading " + String.format(what, all.size(), uid), e);
        }
    }
}
