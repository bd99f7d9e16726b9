package io.magpie.das;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
