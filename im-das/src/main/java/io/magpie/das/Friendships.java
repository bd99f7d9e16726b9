package io.magpie.das;

import io.magpie.das.FriendRequestRecord.State;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.Transactions;
import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The write side of friendships: friend requests (table {@code friend_request}) and the friend list
 * (table {@code friend}, one row per direction). Every change is one transaction that first locks the
 * {@code account} rows of the two users (ascending uid, so two transactions never wait on each other in
 * a cycle); the owner-scoped versions are taken under that lock as {@code max(next snowflake, owner's
 * highest version + 1)}, so one owner's versions commit in rising order and a device that synced up to
 * version V never misses a later change below V. A friendship's two rows are written in the same
 * transaction. At most one PENDING request per pair (either direction): a request to someone who
 * already asked you accepts theirs.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s
 * (retryable ones may be tried again). Each change runs under READ COMMITTED, serialized per pair by
 * locking both account rows first: no gap locks, so concurrent first requests of different pairs do not
 * deadlock on the pending-request key.
 */
public final class Friendships {

    /** Longest request message, in Unicode code points. */
    public static final int MAX_MESSAGE_CODE_POINTS = 200;
    /** Most rows one {@link #changesSince} page returns. */
    public static final int MAX_PAGE = 500;

    private static final String REQUEST_COLUMNS =
            "SELECT request_id, from_uid, to_uid, message, state, created_at, updated_at FROM friend_request ";

    /** What a request, an answer or a removal did. */
    public enum Status {
        /** A new pending request was stored. */
        CREATED,
        /** The requester's own pending request to the same user got the new message. */
        REFRESHED,
        /** The target had already asked the requester: that request was accepted, they are friends now. */
        ACCEPTED_THEIRS,
        /** The two are friends already; nothing changed. */
        ALREADY_FRIENDS,
        /** The answer or cancel was stored. */
        DONE,
        /** No such request for this caller (unknown id, or the caller is not its recipient / sender). */
        NOT_FOUND,
        /** The request was answered or cancelled before; nothing changed. */
        NOT_PENDING,
        /** A removal of someone who is not a friend; nothing changed. */
        NOT_FRIENDS
    }

    /**
     * The outcome of a change.
     *
     * @param status      what happened
     * @param request     the request concerned after the change (null for removals and NOT_FOUND)
     * @param fromVersion the friend-list version of the request's sender (removal: of the remover) after the
     *                    change; 0 when their list did not change
     * @param toVersion   the same for the request's recipient (removal: the removed friend)
     */
    public record Outcome(Status status, FriendRequestRecord request, long fromVersion, long toVersion) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final LongSupplier versions;

    /**
     * @param clock    stamps created_at / updated_at
     * @param versions rising ids (the snowflake generator) for the owner-scoped friend-list versions
     */
    public Friendships(DataSource dataSource, Clock clock, LongSupplier versions) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.versions = Objects.requireNonNull(versions, "versions");
    }

    /**
     * {@code from} asks {@code to} to be friends. The caller checked that both accounts exist, that they
     * differ, the message's length, and blocks.
     *
     * @param requestId the id a new request gets (unused when none is created)
     */
    public Outcome request(long requestId, long from, long to, String message) {
        return Transactions.runReadCommitted(dataSource, "friend request of uid " + from + " to uid " + to, c -> {
            lockAccounts(c, from, to);
            long now = clock.millis();
            if (areFriends(c, from, to)) {
                return new Outcome(Status.ALREADY_FRIENDS, null, 0, 0);
            }
            Optional<FriendRequestRecord> pending = pendingOfPair(c, from, to);
            if (pending.isPresent() && pending.get().fromUid() == from) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE friend_request SET message = ?, updated_at = ? WHERE request_id = ?")) {
                    ps.setString(1, message);
                    ps.setLong(2, now);
                    ps.setLong(3, pending.get().requestId());
                    ps.executeUpdate();
                }
                FriendRequestRecord p = pending.get();
                return new Outcome(Status.REFRESHED, new FriendRequestRecord(p.requestId(), from, to, message,
                        State.PENDING, p.createdAt(), now), 0, 0);
            }
            if (pending.isPresent()) {
                FriendRequestRecord theirs = close(c, pending.get(), State.ACCEPTED, now);
                long[] v = befriend(c, theirs.fromUid(), theirs.toUid(), now);
                return new Outcome(Status.ACCEPTED_THEIRS, theirs, v[0], v[1]);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO friend_request (request_id, from_uid, to_uid,"
                    + " message, state, pair_low, pair_high, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setLong(1, requestId);
                ps.setLong(2, from);
                ps.setLong(3, to);
                ps.setString(4, message);
                ps.setInt(5, State.PENDING.code());
                ps.setLong(6, Math.min(from, to));
                ps.setLong(7, Math.max(from, to));
                ps.setLong(8, now);
                ps.setLong(9, now);
                ps.executeUpdate();
            }
            return new Outcome(Status.CREATED,
                    new FriendRequestRecord(requestId, from, to, message, State.PENDING, now, now), 0, 0);
        });
    }

    /** The recipient {@code caller} accepts (friends in both directions) or rejects request {@code requestId}. */
    public Outcome answer(long requestId, long caller, boolean accept) {
        return Transactions.runReadCommitted(dataSource, (accept ? "accepting" : "rejecting") + " friend request "
                + requestId + " by uid " + caller, c -> {
            Optional<FriendRequestRecord> found = byId(c, requestId, false);
            if (found.isEmpty() || found.get().toUid() != caller) {
                return new Outcome(Status.NOT_FOUND, null, 0, 0);
            }
            lockAccounts(c, found.get().fromUid(), found.get().toUid());
            FriendRequestRecord r = byId(c, requestId, true).orElseThrow();
            if (r.state() != State.PENDING) {
                return new Outcome(Status.NOT_PENDING, r, 0, 0);
            }
            long now = clock.millis();
            FriendRequestRecord closed = close(c, r, accept ? State.ACCEPTED : State.REJECTED, now);
            if (!accept) {
                return new Outcome(Status.DONE, closed, 0, 0);
            }
            long[] v = befriend(c, r.fromUid(), r.toUid(), now);
            return new Outcome(Status.DONE, closed, v[0], v[1]);
        });
    }

    /** The sender {@code caller} withdraws their pending request {@code requestId}. */
    public Outcome cancel(long requestId, long caller) {
        return Transactions.runReadCommitted(dataSource, "cancelling friend request " + requestId + " by uid "
                + caller, c -> {
            Optional<FriendRequestRecord> r = byId(c, requestId, true);
            if (r.isEmpty() || r.get().fromUid() != caller) {
                return new Outcome(Status.NOT_FOUND, null, 0, 0);
            }
            if (r.get().state() != State.PENDING) {
                return new Outcome(Status.NOT_PENDING, r.get(), 0, 0);
            }
            return new Outcome(Status.DONE, close(c, r.get(), State.CANCELLED, clock.millis()), 0, 0);
        });
    }

    /** {@code owner} ends the friendship with {@code friend}: both rows are marked removed with new versions. */
    public Outcome remove(long owner, long friend) {
        return Transactions.runReadCommitted(dataSource, "uid " + owner + " removing friend uid " + friend, c -> {
            lockAccounts(c, owner, friend);
            if (!areFriends(c, owner, friend)) {
                return new Outcome(Status.NOT_FRIENDS, null, 0, 0);
            }
            long now = clock.millis();
            long ownerVersion = writeRow(c, owner, friend, true, now);
            long friendVersion = writeRow(c, friend, owner, true, now);
            return new Outcome(Status.DONE, null, ownerVersion, friendVersion);
        });
    }

    /** Rows of {@code owner}'s friend list changed after {@code sinceVersion}, by rising version, at most {@code limit}. */
    public List<FriendChange> changesSince(long owner, long sinceVersion, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ", got " + limit);
        }
        List<FriendChange> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT friend_uid, deleted, version, created_at, updated_at"
                        + " FROM friend WHERE owner_uid = ? AND version > ? ORDER BY version LIMIT ?")) {
            ps.setLong(1, owner);
            ps.setLong(2, sinceVersion);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new FriendChange(rs.getLong(1), rs.getBoolean(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the friend list of uid " + owner + " since version " + sinceVersion, e);
        }
    }

    /** The pending requests {@code uid} sent or received, newest first. */
    public List<FriendRequestRecord> pending(long uid) {
        List<FriendRequestRecord> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(REQUEST_COLUMNS + "WHERE to_uid = ? AND state = 0"
                        + " UNION ALL " + REQUEST_COLUMNS + "WHERE from_uid = ? AND state = 0 ORDER BY request_id DESC")) {
            ps.setLong(1, uid);
            ps.setLong(2, uid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(request(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the pending friend requests of uid " + uid, e);
        }
    }

    /** Request {@code requestId} as stored, if any. */
    public Optional<FriendRequestRecord> find(long requestId) {
        try (Connection c = dataSource.getConnection()) {
            return byId(c, requestId, false);
        } catch (SQLException e) {
            throw SqlErrors.translate("reading friend request " + requestId, e);
        }
    }

    private static void lockAccounts(Connection c, long a, long b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT uid FROM account WHERE uid IN (?, ?) ORDER BY uid FOR UPDATE")) {
            ps.setLong(1, Math.min(a, b));
            ps.setLong(2, Math.max(a, b));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // locking read: the rows stay locked until commit
                }
            }
        }
    }

    private static boolean areFriends(Connection c, long owner, long friend) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM friend WHERE owner_uid = ? AND friend_uid = ? AND NOT deleted")) {
            ps.setLong(1, owner);
            ps.setLong(2, friend);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Optional<FriendRequestRecord> pendingOfPair(Connection c, long a, long b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(REQUEST_COLUMNS + "WHERE pair_low = ? AND pair_high = ? FOR UPDATE")) {
            ps.setLong(1, Math.min(a, b));
            ps.setLong(2, Math.max(a, b));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(request(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<FriendRequestRecord> byId(Connection c, long requestId, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(REQUEST_COLUMNS + "WHERE request_id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(request(rs)) : Optional.empty();
            }
        }
    }

    private static FriendRequestRecord close(Connection c, FriendRequestRecord r, State state, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE friend_request SET state = ?, pair_low = NULL,"
                + " pair_high = NULL, updated_at = ? WHERE request_id = ?")) {
            ps.setInt(1, state.code());
            ps.setLong(2, now);
            ps.setLong(3, r.requestId());
            ps.executeUpdate();
        }
        return new FriendRequestRecord(r.requestId(), r.fromUid(), r.toUid(), r.message(), state, r.createdAt(), now);
    }

    /** Both rows of a new friendship; returns {a's version, b's version}. The accounts are locked. */
    private long[] befriend(Connection c, long a, long b, long now) throws SQLException {
        return new long[] {writeRow(c, a, b, false, now), writeRow(c, b, a, false, now)};
    }

    /** Inserts or updates (owner, friend) with the owner's next version; the owner's account row is locked. */
    private long writeRow(Connection c, long owner, long friend, boolean deleted, long now) throws SQLException {
        long highest;
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM friend WHERE owner_uid = ?")) {
            ps.setLong(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                highest = rs.getLong(1);
            }
        }
        long version = Math.max(versions.getAsLong(), highest + 1);
        // a friendship that begins again restarts created_at; a removal keeps it
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO friend (owner_uid, friend_uid, version, deleted,"
                + " created_at, updated_at) VALUES (?,?,?,?,?,?) ON DUPLICATE KEY UPDATE version = VALUES(version),"
                + " created_at = IF(VALUES(deleted), created_at, VALUES(created_at)), deleted = VALUES(deleted),"
                + " updated_at = VALUES(updated_at)")) {
            ps.setLong(1, owner);
            ps.setLong(2, friend);
            ps.setLong(3, version);
            ps.setBoolean(4, deleted);
            ps.setLong(5, now);
            ps.setLong(6, now);
            ps.executeUpdate();
        }
        return version;
    }

    private static FriendRequestRecord request(ResultSet rs) throws SQLException {
        return new FriendRequestRecord(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                State.of(rs.getInt(5)), rs.getLong(6), rs.getLong(7));
    }
}
