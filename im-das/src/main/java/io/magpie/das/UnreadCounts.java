package io.magpie.das;

import io.magpie.das.internal.SqlErrors;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Unread counts, computed from MySQL when asked, so they cannot drift from the messages and survive
 * any loss of Redis. A conversation's unread count is the number of its messages above the owner's
 * floor ({@code max(read_seq, cleared_seq)}; a group row starts at the join seq - 1) up to its last
 * seq that are still normal, not SYSTEM messages (group changes), and that the owner did not delete for
 * themselves. The owner's own
 * messages never count, because sending moves the sender's read position to the message. So the
 * count is {@code last_seq - floor} minus the recalled and the SYSTEM messages in that range (key
 * {@code (conversation_id, status, seq)}: recalls are rare) minus the owner's deleted ones that were
 * not recalled (primary key of {@code message_hidden}); the correction query runs only for
 * conversations with something unread.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class UnreadCounts {

    // read diffusion applies to members only: a former member's row stops at the seq that removed them
    private static final String LARGE_GROUP_MEMBER = " AND EXISTS (SELECT 1 FROM group_member gm"
            + " WHERE gm.group_id = g.group_id AND gm.uid = c.owner_uid)";

    /** {@code message.msg_type} of a SYSTEM message (protocol MessageType.SYSTEM): never unread. */
    private static final int SYSTEM = 8;

    /** Most ranges one correction query carries. */
    public static final int MAX_RANGES_PER_QUERY = 200;

    private final DataSource dataSource;

    public UnreadCounts(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The unread range of one conversation: seqs {@code (floor, lastSeq]}. */
    public record Range(String conversationId, long floor, long lastSeq) {

        public Range {
            java.util.Objects.requireNonNull(conversationId, "conversationId");
        }

        static Range of(Conversation c) {
            return new Range(c.conversationId(), Math.max(c.readSeq(), c.clearedSeq()), c.lastSeq());
        }

        long raw() {
            return Math.max(0, lastSeq - floor);
        }
    }

    /**
     * The unread count of each row (as SYNC returns them: large groups' last seq merged in), by conversation
     * id; the rows are one owner's.
     */
    public Map<String, Long> of(List<Conversation> rows) {
        List<Range> ranges = new ArrayList<>();
        for (Conversation c : rows) {
            ranges.add(Range.of(c));
        }
        if (rows.isEmpty()) {
            return new HashMap<>();
        }
        long owner = rows.get(0).ownerUid();
        if (rows.stream().anyMatch(c -> c.ownerUid() != owner)) {
            throw new IllegalArgumentException("rows of one owner only, got owners " + owner + " and others");
        }
        try (Connection connection = dataSource.getConnection()) {
            return counts(connection, owner, ranges);
        } catch (SQLException e) {
            throw SqlErrors.translate("unread counts of " + rows.size() + " conversations", e);
        }
    }

    /** The unread count of each of one owner's ranges, by conversation id (no query when nothing is unread). */
    public Map<String, Long> of(long ownerUid, List<Range> ranges) {
        if (ranges.stream().allMatch(r -> r.raw() == 0)) {
            Map<String, Long> none = new HashMap<>();
            ranges.forEach(r -> none.put(r.conversationId(), 0L));
            return none;
        }
        try (Connection connection = dataSource.getConnection()) {
            return counts(connection, ownerUid, ranges);
        } catch (SQLException e) {
            throw SqlErrors.translate("unread counts of " + ranges.size() + " conversations of " + ownerUid, e);
        }
    }

    /** The sum of the owner's unread counts over every conversation that is not muted. */
    public long total(long ownerUid) {
        try (Connection connection = dataSource.getConnection()) {
            List<Range> ranges = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT c.conversation_id,"
                    + " GREATEST(c.read_seq, c.cleared_seq), GREATEST(c.last_seq, COALESCE(g.last_seq, 0))"
                    + " FROM conversation c"
                    + " LEFT JOIN im_group g ON c.conversation_type = 2 AND g.group_id = c.peer_id AND g.large"
                    + LARGE_GROUP_MEMBER
                    + " WHERE c.owner_uid = ? AND NOT c.muted"
                    + " AND GREATEST(c.last_seq, COALESCE(g.last_seq, 0)) > GREATEST(c.read_seq, c.cleared_seq)")) {
                statement.setLong(1, ownerUid);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        ranges.add(new Range(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
            long total = 0;
            for (long n : counts(connection, ownerUid, ranges).values()) {
                total += n;
            }
            return total;
        } catch (SQLException e) {
            throw SqlErrors.translate("total unread of owner " + ownerUid, e);
        }
    }

    private static Map<String, Long> counts(Connection connection, long owner, List<Range> ranges)
            throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        List<Range> open = new ArrayList<>();
        for (Range r : ranges) {
            counts.put(r.conversationId(), r.raw());
            if (r.raw() > 0) {
                open.add(r);
            }
        }
        for (int from = 0; from < open.size(); from += MAX_RANGES_PER_QUERY) {
            List<Range> chunk = open.subList(from, Math.min(open.size(), from + MAX_RANGES_PER_QUERY));
            String one = "SELECT ? AS conversation_id,"
                    + " (SELECT COUNT(*) FROM message WHERE conversation_id = ? AND status <> 0 AND seq > ? AND seq <= ?)"
                    // SYSTEM messages (group changes) never count; key (conversation_id, msg_type, seq), V7
                    + " + (SELECT COUNT(*) FROM message WHERE conversation_id = ? AND msg_type = " + SYSTEM
                    + " AND status = 0 AND seq > ? AND seq <= ?)"
                    + " + (SELECT COUNT(*) FROM message_hidden h JOIN message m ON m.conversation_id = h.conversation_id"
                    + " AND m.seq = h.seq WHERE h.owner_uid = ? AND h.conversation_id = ? AND h.seq > ? AND h.seq <= ?"
                    + " AND m.status = 0 AND m.msg_type <> " + SYSTEM + ")";
            String sql = String.join(" UNION ALL ", java.util.Collections.nCopies(chunk.size(), one));
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int p = 1;
                for (Range r : chunk) {
                    statement.setString(p++, r.conversationId());
                    statement.setString(p++, r.conversationId());
                    statement.setLong(p++, r.floor());
                    statement.setLong(p++, r.lastSeq());
                    statement.setString(p++, r.conversationId());
                    statement.setLong(p++, r.floor());
                    statement.setLong(p++, r.lastSeq());
                    statement.setLong(p++, owner);
                    statement.setString(p++, r.conversationId());
                    statement.setLong(p++, r.floor());
                    statement.setLong(p++, r.lastSeq());
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        long hidden = rs.getLong(2);
                        if (hidden > 0) {
                            counts.merge(rs.getString(1), -hidden, Long::sum);
                        }
                    }
                }
            }
        }
        return counts;
    }
}
