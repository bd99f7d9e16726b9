package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Uploaded media (table {@code media_object}, migration V10): which conversation an upload is for, its type,
 * size and dimensions, and where its bytes and thumbnail are in the blob store. Blocking JDBC: call it off
 * event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class MediaObjects {

    /**
     * One upload.
     *
     * @param width     pixels, 0 when not an image
     * @param height    pixels, 0 when not an image
     * @param fileName  the name the uploader gave, "" when none
     * @param thumbKey  the thumbnail's blob key, null when there is none
     * @param createdAt epoch millis
     */
    public record Media(String mediaId, long uploaderUid, String conversationId, String mimeType, long sizeBytes,
            int width, int height, String fileName, String blobKey, String thumbKey, long createdAt) {
    }

    private final DataSource dataSource;

    public MediaObjects(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    public void insert(Media m) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO media_object (media_id, uploader_uid,"
                     + " conversation_id, mime_type, size_bytes, width, height, file_name, blob_key, thumb_key,"
                     + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, m.mediaId());
            ps.setLong(2, m.uploaderUid());
            ps.setString(3, m.conversationId());
            ps.setString(4, m.mimeType());
            ps.setLong(5, m.sizeBytes());
            ps.setInt(6, m.width());
            ps.setInt(7, m.height());
            ps.setString(8, m.fileName());
            ps.setString(9, m.blobKey());
            if (m.thumbKey() == null) {
                ps.setNull(10, Types.VARCHAR);
            } else {
                ps.setString(10, m.thumbKey());
            }
            ps.setLong(11, m.createdAt());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("recording media " + m.mediaId() + " of uid " + m.uploaderUid(), e);
        }
    }

    public Optional<Media> find(String mediaId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT media_id, uploader_uid, conversation_id, mime_type,"
                     + " size_bytes, width, height, file_name, blob_key, thumb_key, created_at FROM media_object"
                     + " WHERE media_id = ? AND deleted_at IS NULL")) {
            ps.setString(1, mediaId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Media(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getLong(5), rs.getInt(6), rs.getInt(7), rs.getString(8), rs.getString(9),
                        rs.getString(10), rs.getLong(11)));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading media " + mediaId, e);
        }
    }

    /**
     * Marks media {@code mediaId} deleted on {@code connection} (the transaction that recalls its message), if it
     * was uploaded by {@code uploaderUid} for {@code conversationId}: {@link #find} no longer sees it.
     *
     * @return whether a row was marked
     */
    public static boolean markDeleted(Connection connection, String mediaId, String conversationId, long uploaderUid,
            long at) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE media_object SET deleted_at = ? WHERE"
                + " media_id = ? AND conversation_id = ? AND uploader_uid = ? AND deleted_at IS NULL")) {
            ps.setLong(1, at);
            ps.setString(2, mediaId);
            ps.setString(3, conversationId);
            ps.setLong(4, uploaderUid);
            return ps.executeUpdate() > 0;
        }
    }

    /** A deleted media's blobs, to purge; {@code thumbKey} null when there is none. */
    public record Deleted(String mediaId, String blobKey, String thumbKey) {
    }

    /** Up to {@code limit} deleted media, the oldest deletions first. */
    public List<Deleted> deleted(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT media_id, blob_key, thumb_key FROM media_object"
                     + " WHERE deleted_at IS NOT NULL ORDER BY deleted_at LIMIT ?")) {
            ps.setInt(1, limit);
            List<Deleted> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Deleted(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading deleted media to purge", e);
        }
    }

    /** Moves a deleted media whose blobs could not be deleted behind the others ({@link #deleted} order). */
    public void postpone(String mediaId, long at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE media_object SET deleted_at = ? WHERE media_id = ?"
                     + " AND deleted_at IS NOT NULL")) {
            ps.setLong(1, at);
            ps.setString(2, mediaId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("postponing the purge of media " + mediaId, e);
        }
    }

    /** Removes the row of a deleted media whose blobs are gone. */
    public void remove(String mediaId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM media_object WHERE media_id = ?"
                     + " AND deleted_at IS NOT NULL")) {
            ps.setString(1, mediaId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("removing the row of purged media " + mediaId, e);
        }
    }
}
