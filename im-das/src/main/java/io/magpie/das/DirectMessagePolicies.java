package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads and writes who may send a user one-to-one messages ({@code account.dm_policy}). The send path
 * reads it together with blocks and friends through {@link Relations#directRefusals}.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class DirectMessagePolicies {

    private final DataSource dataSource;
    private final Clock clock;

    public DirectMessagePolicies(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The policy of {@code uid}; empty when there is no such account. */
    public Optional<DirectMessagePolicy> of(long uid) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT dm_policy FROM account WHERE uid = ?")) {
            ps.setLong(1, uid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(DirectMessagePolicy.of(rs.getInt(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the direct message policy of uid " + uid, e);
        }
    }

    /** @return false when there is no such account */
    public boolean set(long uid, DirectMessagePolicy policy) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE account SET dm_policy = ?, updated_at = ? WHERE uid = ?")) {
            ps.setInt(1, policy.code());
            ps.setLong(2, clock.millis());
            ps.setLong(3, uid);
            if (ps.executeUpdate() > 0) {
                return true;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("setting the direct message policy of uid " + uid + " to " + policy, e);
        }
        // MySQL counts a row whose values did not change as not updated: tell "same value" from "no account"
        return of(uid).isPresent();
    }
}
