package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Table {@code device_session}: the current login of each device, MySQL being the truth of which
 * access and refresh tokens are still valid (migration V3; its app id since V9). Every method is one statement, so each is
 * atomic; a rotation is a compare-and-set on the refresh hash, so two racing refreshes of one token
 * cannot both win.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class DeviceSessionRepository {

    private static final String COLUMNS = "uid, device_id, session_id, platform, refresh_hash,"
            + " previous_refresh_hash, refresh_expires_at, created_at, refreshed_at, app_id";

    private final DataSource dataSource;

    public DeviceSessionRepository(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Stores {@code session} as the device's current one, replacing (and so revoking) the one it had. */
    public void replace(DeviceSession session) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("REPLACE INTO device_session (" + COLUMNS
                     + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            statement.setLong(1, session.uid());
            statement.setString(2, session.deviceId());
            statement.setLong(3, session.sessionId());
            statement.setInt(4, session.platform());
            statement.setBytes(5, session.refreshHash());
            statement.setBytes(6, session.previousRefreshHash());
            statement.setLong(7, session.refreshExpiresAt());
            statement.setLong(8, session.createdAt());
            statement.setLong(9, session.refreshedAt());
            statement.setString(10, session.appId());
            statement.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("store of the session of uid " + session.uid() + " device "
                    + session.deviceId(), e);
        }
    }

    /** The session with this id, if it is still some device's current one. */
    public Optional<DeviceSession> findBySessionId(long sessionId) {
        List<DeviceSession> found = query("SELECT " + COLUMNS + " FROM device_session WHERE session_id = ?",
                "session " + sessionId, sessionId);
        return found.stream().findFirst();
    }

    /** The current session of (uid, device), if any. */
    public Optional<DeviceSession> find(long uid, String deviceId) {
        return query("SELECT " + COLUMNS + " FROM device_session WHERE uid = ? AND device_id = ?",
                "session of uid " + uid + " device " + deviceId, uid, deviceId).stream().findFirst();
    }

    /** Every current session of a user. */
    public List<DeviceSession> findByUid(long uid) {
        return query("SELECT " + COLUMNS + " FROM device_session WHERE uid = ? ORDER BY device_id",
                "sessions of uid " + uid, uid);
    }

    /**
     * Replaces the refresh token of session {@code sessionId} if its current hash is still
     * {@code expectedHash}; the old hash becomes the previous one.
     *
     * @return false if another rotation (or a revocation) came first
     */
    public boolean rotate(long sessionId, byte[] expectedHash, byte[] newHash, long refreshExpiresAt, long now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("UPDATE device_session"
                     + " SET previous_refresh_hash = refresh_hash, refresh_hash = ?, refresh_expires_at = ?,"
                     + " refreshed_at = ? WHERE session_id = ? AND refresh_hash = ?")) {
            statement.setBytes(1, newHash);
            statement.setLong(2, refreshExpiresAt);
            statement.setLong(3, now);
            statement.setLong(4, sessionId);
            statement.setBytes(5, expectedHash);
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw SqlErrors.translate("rotation of the refresh token of session " + sessionId, e);
        }
    }

    /** Deletes the session of (uid, device) if it is still {@code sessionId}; true if it was. */
    public boolean delete(long uid, String deviceId, long sessionId) {
        return update("DELETE FROM device_session WHERE uid = ? AND device_id = ? AND session_id = ?",
                "revocation of session " + sessionId + " of uid " + uid, uid, deviceId, sessionId) > 0;
    }

    /** Deletes the current session of (uid, device), whatever it is; true if there was one. */
    public boolean delete(long uid, String deviceId) {
        return update("DELETE FROM device_session WHERE uid = ? AND device_id = ?",
                "revocation of the session of uid " + uid + " device " + deviceId, uid, deviceId) > 0;
    }

    private int update(String sql, String what, Object... args) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, args);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }

    private List<DeviceSession> query(String sql, String what, Object... args) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, args);
            try (ResultSet rs = statement.executeQuery()) {
                List<DeviceSession> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new DeviceSession(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4),
                            rs.getBytes(5), rs.getBytes(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getString(10)));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of the " + what, e);
        }
    }

    private static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Long l) {
                statement.setLong(i + 1, l);
            } else {
                statement.setString(i + 1, (String) args[i]);
            }
        }
    }
}
