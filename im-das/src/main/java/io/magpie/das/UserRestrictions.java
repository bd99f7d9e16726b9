package io.magpie.das;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Table {@code user_restriction} (migration V10): the bans and global mutes an operator imposed. MySQL is
 * the truth; the logic role caches mutes for a few seconds on its send path. Every method is one
 * statement. Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class UserRestrictions {

    /** Longest reason, in characters (the column holds 200). */
    public static final int MAX_REASON_CHARS = 200;
    /** Most uids one statement carries. */
    public static final int MAX_ROWS_PER_STATEMENT = 500;

    /** What a restriction forbids; the number is the stored {@code kind}. */
    public enum Kind {
        /** No login, no refresh; the sessions were ended when it was imposed. */
        BAN(1),
        /** Every SEND is refused with ERROR MUTED. */
        MUTE(2);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalStateException("user_restriction.kind " + code + " is not one this version knows"
                    + " (1 = BAN, 2 = MUTE)");
        }
    }

    /**
     * One restriction.
     *
     * @param untilMillis when it ends by itself, ms since the epoch; 0 = until lifted
     * @param reason      the operator's reason, "" for none
     * @param sinceMillis when it was imposed
     */
    public record Restriction(Kind kind, long untilMillis, String reason, long sinceMillis) {

        public Restriction {
            Objects.requireNonNull(kind, "kind");
            reason = reason == null ? "" : reason;
        }

        /** Whether it is in force at {@code nowMillis}. */
        public boolean activeAt(long nowMillis) {
            return untilMillis == 0 || untilMillis > nowMillis;
        }
    }

    private static final MultiRowSql READ_KIND = new MultiRowSql(
            "SELECT uid, kind, until_at, reason, created_at FROM user_restriction WHERE kind = ? AND uid IN (", "?",
            ", ", ")", MAX_ROWS_PER_STATEMENT);

    private final DataSource dataSource;

    public UserRestrictions(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Imposes {@code r} on {@code uid}, replacing the restriction of that kind it had.
     *
     * @throws IllegalArgumentException when the reason is longer than {@value #MAX_REASON_CHARS} characters
     */
    public void impose(long uid, Restriction r) {
        if (r.reason().length() > MAX_REASON_CHARS) {
            throw new IllegalArgumentException("reason has " + r.reason().length() + " characters; at most "
                    + MAX_REASON_CHARS + " are allowed");
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("REPLACE INTO user_restriction (uid, kind, until_at, reason,"
                     + " created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, uid);
            ps.setInt(2, r.kind().code);
            ps.setLong(3, r.untilMillis());
            ps.setString(4, r.reason());
            ps.setLong(5, r.sinceMillis());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("storing the " + r.kind() + " of uid " + uid, e);
        }
    }

    /** Lifts the restriction of {@code kind} from {@code uid}; false if there was none. */
    public boolean lift(long uid, Kind kind) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM user_restriction WHERE uid = ? AND kind = ?")) {
            ps.setLong(1, uid);
            ps.setInt(2, kind.code);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw SqlErrors.translate("lifting the " + kind + " of uid " + uid, e);
        }
    }

    /** Every restriction row of {@code uid}, in force or expired. */
    public Map<Kind, Restriction> find(long uid) {
        Map<Kind, Restriction> out = new EnumMap<>(Kind.class);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT kind, until_at, reason, created_at FROM"
                     + " user_restriction WHERE uid = ?")) {
            ps.setLong(1, uid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Kind kind = Kind.of(rs.getInt(1));
                    out.put(kind, new Restriction(kind, rs.getLong(2), rs.getString(3), rs.getLong(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the restrictions of uid " + uid, e);
        }
    }

    /** The rows of {@code kind} among {@code uids}, in force or expired; a uid without one is not a key. */
    public Map<Long, Restriction> find(Collection<Long> uids, Kind kind) {
        Map<Long, Restriction> out = new HashMap<>();
        if (uids.isEmpty()) {
            return out;
        }
        List<Long> all = List.copyOf(uids);
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_ROWS_PER_STATEMENT));
                try (PreparedStatement ps = c.prepareStatement(READ_KIND.forRows(chunk.size()))) {
                    ps.setInt(1, kind.code);
                    int i = 2;
                    for (long uid : chunk) {
                        ps.setLong(i++, uid);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getLong(1), new Restriction(Kind.of(rs.getInt(2)), rs.getLong(3),
                                    rs.getString(4), rs.getLong(5)));
                        }
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the " + kind + "s of " + all.size() + " users", e);
        }
    }
}
