package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Table {@code device_token}: push tokens registered through the account API and read by the
 * notifier worker for users without a route.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class DeviceTokenRepository {

    /** Most uids in one {@code IN (...)} list; longer lookups are split. */
    static final int MAX_UIDS_PER_QUERY = 500;

    private final DataSource dataSource;

    public DeviceTokenRepository(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Stores the token of (uid, device), replacing the one it had (provider and platform included). */
    public void upsert(DeviceToken token) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO device_token"
                     + " (uid, device_id, platform, provider, token, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                     + " ON DUPLICATE KEY UPDATE platform = VALUES(platform), provider = VALUES(provider),"
                     + " token = VALUES(token), updated_at = VALUES(updated_at)")) {
            statement.setLong(1, token.uid());
            statement.setString(2, token.deviceId());
            statement.setString(3, token.platform());
            statement.setString(4, token.provider());
            statement.setString(5, token.token());
            statement.setLong(6, token.updatedAt());
            statement.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("upsert of the push token of uid " + token.uid() + " device "
                    + token.deviceId(), e);
        }
    }

    /** Removes the token of (uid, device); true if there was one. */
    public boolean delete(long uid, String deviceId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "DELETE FROM device_token WHERE uid = ? AND device_id = ?")) {
            statement.setLong(1, uid);
            statement.setString(2, deviceId);
            return statement.executeUpdate() > 0;
        } catch (SQLException e) {
            throw SqlErrors.translate("delete of the push token of uid " + uid + " device " + deviceId, e);
        }
    }

    /**
     * Removes the token of (uid, device) only if it is still {@code token} of {@code provider}: what the
     * notifier does when the provider reports the token dead. A device that registered a new token
     * meanwhile keeps the new one. True if a row was removed.
     */
    public boolean deleteIfUnchanged(long uid, String deviceId, String provider, String token) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "DELETE FROM device_token WHERE uid = ? AND device_id = ? AND provider = ? AND token = ?")) {
            statement.setLong(1, uid);
            statement.setString(2, deviceId);
            statement.setString(3, provider);
            statement.setString(4, token);
            return statement.executeUpdate() > 0;
        } catch (SQLException e) {
            throw SqlErrors.translate("delete of the dead " + provider + " token of uid " + uid + " device "
                    + deviceId, e);
        }
    }

    /** The tokens of one user, by device id. */
    public List<DeviceToken> findByUid(long uid) {
        return findByUids(List.of(uid)).get(uid);
    }

    /**
     * The tokens of each user, ordered by device id. EVERY requested uid is a key; an empty list =
     * no token registered.
     */
    public Map<Long, List<DeviceToken>> findByUids(Collection<Long> uids) {
        Map<Long, List<DeviceToken>> result = new LinkedHashMap<>();
        Set<Long> distinct = new LinkedHashSet<>(uids);
        distinct.forEach(uid -> result.put(uid, new ArrayList<>()));
        List<Long> all = List.copyOf(distinct);
        for (int from = 0; from < all.size(); from += MAX_UIDS_PER_QUERY) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + MAX_UIDS_PER_QUERY));
            readChunk(chunk, result);
        }
        return result;
    }

    private void readChunk(List<Long> uids, Map<Long, List<DeviceToken>> into) {
        String sql = "SELECT uid, device_id, platform, provider, token, updated_at FROM device_token WHERE uid IN ("
                + "?,".repeat(uids.size() - 1) + "?) ORDER BY uid, device_id";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < uids.size(); i++) {
                statement.setLong(i + 1, uids.get(i));
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    DeviceToken t = new DeviceToken(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6));
                    into.get(t.uid()).add(t);
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of the push tokens of " + uids.size() + " users", e);
        }
    }
}
