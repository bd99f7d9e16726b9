package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The write side of blocks (table {@code user_block}) and a user's own list. Blocking leaves
 * friendships and pending friend requests as they are; what a block refuses is decided where it
 * is read ({@link Relations}).
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class Blocklist {

    /** One entry of a user's blocklist. */
    public record Entry(long blockedUid, long blockedAt) {
    }

    private final DataSource dataSource;
    private final Clock clock;

    public Blocklist(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return true when {@code owner} had not blocked {@code blocked} before */
    public boolean block(long owner, long blocked) {
        return update("INSERT IGNORE INTO user_block (owner_uid, blocked_uid, created_at) VALUES (?, ?, ?)",
                owner, blocked, true, "uid " + owner + " blocking uid " + blocked);
    }

    /** @return true when {@code owner} had blocked {@code blocked} */
    public boolean unblock(long owner, long blocked) {
        return update("DELETE FROM user_block WHERE owner_uid = ? AND blocked_uid = ?", owner, blocked, false,
                "uid " + owner + " unblocking uid " + blocked);
    }

    /** Whether {@code owner} blocked {@code other}. */
    public boolean blocked(long owner, long other) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT 1 FROM user_block WHERE owner_uid = ? AND blocked_uid = ?")) {
            ps.setLong(1, owner);
            ps.setLong(2, other);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading whether uid " + owner + " blocked uid " + other, e);
        }
    }

    /** Everyone {@code owner} blocked, most recent first. */
    public List<Entry> list(long owner) {
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT blocked_uid, created_at FROM user_block"
                        + " WHERE owner_uid = ? ORDER BY created_at DESC, blocked_uid")) {
            ps.setLong(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getLong(2)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the blocklist of uid " + owner, e);
        }
    }

    private boolean update(String sql, long owner, long blocked, boolean stamp, String what) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, owner);
            ps.setLong(2, blocked);
            if (stamp) {
                ps.setLong(3, clock.millis());
            }
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }
}
