package io.magpie.das;

import io.magpie.das.internal.MultiRowSql;
import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The durable part of presence (table {@code presence_setting}, migration V8): a user's status text,
 * whether they hide their presence, and when their last device went offline. Online state is not here
 * (it is the routes in Redis). Blocking JDBC: call it off event loops. Thread-safe. Failures are
 * {@link StorageException}s.
 */
public final class PresenceSettings {

    /** Longest status text, in Unicode code points (the column holds 100 characters). */
    public static final int MAX_STATUS_CODE_POINTS = 100;
    /** Most uids one statement carries. */
    public static final int MAX_ROWS_PER_STATEMENT = 500;

    /**
     * One user's row.
     *
     * @param statusText     "" when none
     * @param hidden         the user hides their presence from everyone
     * @param lastSeenMillis when the last device went offline, 0 = never recorded
     */
    public record Setting(String statusText, boolean hidden, long lastSeenMillis) {
        /** What a user without a row has. */
        public static final Setting NONE = new Setting("", false, 0);
    }

    private static final MultiRowSql READ = new MultiRowSql(
            "SELECT uid, status_text, hidden, last_seen_at FROM presence_setting WHERE uid IN (", "?", ", ", ")",
            MAX_ROWS_PER_STATEMENT);

    private final DataSource dataSource;
    private final Clock clock;

    public PresenceSettings(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The settings of {@code uids}; every uid is a key ({@link Setting#NONE} when it has no row). */
    public Map<Long, Setting> read(Collection<Long> uids) {
        Map<Long, Setting> out = new HashMap<>();
        uids.forEach(uid -> out.put(uid, Setting.NONE));
        if (uids.isEmpty()) {
            return out;
        }
        List<Long> all = List.copyOf(out.keySet());
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_ROWS_PER_STATEMENT));
                try (PreparedStatement ps = c.prepareStatement(READ.forRows(chunk.size()))) {
                    int i = 1;
                    for (long uid : chunk) {
                        ps.setLong(i++, uid);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getLong(1), new Setting(rs.getString(2), rs.getBoolean(3), rs.getLong(4)));
                        }
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the presence settings of " + all.size() + " users", e);
        }
    }

    /** One user's setting. */
    public Setting read(long uid) {
        return read(List.of(uid)).get(uid);
    }

    /**
     * Stores the status text and the hidden flag of {@code uid} (the last seen time is kept).
     *
     * @throws IllegalArgumentException when the text is longer than {@value #MAX_STATUS_CODE_POINTS} code points
     */
    public void update(long uid, String statusText, boolean hidden) {
        Objects.requireNonNull(statusText, "statusText");
        int length = statusText.codePointCount(0, statusText.length());
        if (length > MAX_STATUS_CODE_POINTS) {
            throw new IllegalArgumentException("status text has " + length + " code points; at most "
                    + MAX_STATUS_CODE_POINTS + " are allowed");
        }
        execute("storing the presence setting of uid " + uid,
                "INSERT INTO presence_setting (uid, status_text, hidden, updated_at) VALUES (?, ?, ?, ?) "
                        + "ON DUPLICATE KEY UPDATE status_text = VALUES(status_text), hidden = VALUES(hidden), "
                        + "updated_at = VALUES(updated_at)",
                ps -> {
                    ps.setLong(1, uid);
                    ps.setString(2, statusText);
                    ps.setBoolean(3, hidden);
                    ps.setLong(4, clock.millis());
                });
    }

    /** Records that the last device of {@code uid} went offline at {@code atMillis}; never moves it back. */
    public void recordLastSeen(long uid, long atMillis) {
        execute("recording the last seen time of uid " + uid,
                "INSERT INTO presence_setting (uid, last_seen_at, updated_at) VALUES (?, ?, ?) "
                        + "ON DUPLICATE KEY UPDATE last_seen_at = GREATEST(last_seen_at, VALUES(last_seen_at))",
                ps -> {
                    ps.setLong(1, uid);
                    ps.setLong(2, atMillis);
                    ps.setLong(3, clock.millis());
                });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void execute(String what, String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }
}
