package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.das.internal.Parameters;
import io.magpie.das.internal.SqlErrors;
import io.magpie.das.internal.StatementScript;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table {@code partition_fence}: fencing tokens that make the owner of a partition the only writer of
 * its conversations, even when a stale owner (paused by GC or SIGSTOP past its Kafka session) wakes up
 * mid-transaction after the partition moved.
 * <ul>
 *   <li>{@link #claim}: a new owner raises the partition's epoch before it writes. The claim waits for
 *       a write transaction in flight (which holds the row in share mode) instead of racing it.</li>
 *   <li>{@link #enter}: the first statements of a write transaction on a borrowed session: bound how long this
 *       session may sit idle ({@code wait_timeout}), then read the epochs {@code LOCK IN SHARE MODE} and refuse
 *       ({@link FencedWriteException}) if another instance claimed a partition since. The writer's kept session
 *       is bounded once ({@link #boundIdle}) and reads the epochs with {@link #check}, or as the last statement of
 *       the round trip that carries its writes ({@code appendCheck}, {@code verify}); either way before it
 *       commits, and the share lock is held until then.</li>
 * </ul>
 * The idle bound is what keeps a frozen writer from holding the claim (and its row locks) for long:
 * the server closes a connection that sent nothing for {@code wait_timeout} seconds and rolls its
 * transaction back. It works the same on MySQL 8 and MariaDB (MariaDB's
 * {@code idle_transaction_timeout} has no MySQL counterpart). {@link #leave} restores the server's
 * default before the connection goes back to the pool.
 *
 * <p>Blocking JDBC: call it off event loops. Thread-safe. Failures are {@link StorageException}s.
 */
public final class PartitionFenceRepository {

    private static final Logger log = LoggerFactory.getLogger(PartitionFenceRepository.class);
    private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    /** Seconds one claim attempt waits for a row lock before it looks at its deadline again. */
    private static final int CLAIM_LOCK_WAIT_SECONDS = 1;

    private final DataSource dataSource;
    private final Clock clock;
    private final long idleSeconds;
    private final Duration claimTimeout;

    /**
     * @param idleTimeout  longest a write transaction's session may sit idle before the server closes it
     *                     and rolls the transaction back; whole seconds, at least 1 s
     * @param claimTimeout longest a claim waits for writers in flight; must exceed {@code idleTimeout}
     */
    public PartitionFenceRepository(DataSource dataSource, Clock clock, Duration idleTimeout, Duration claimTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idleSeconds = Math.max(1, idleTimeout.toSeconds());
        if (claimTimeout.compareTo(Duration.ofSeconds(idleSeconds)) <= 0) {
            throw new IllegalArgumentException("the fence claim timeout (" + claimTimeout + ") must exceed the"
                    + " write idle timeout (" + idleSeconds + " s), or a frozen writer outlasts every claim");
        }
        this.claimTimeout = claimTimeout;
    }

    /**
     * Raises the partition's epoch (the first claim stores epoch 1) and returns it. Waits while a
     * write transaction of the previous owner holds the row; such a writer ends within the idle
     * timeout if it is frozen (the server closes its session).
     *
     * @throws StorageException (retryable) if the claim did not succeed within the claim timeout
     */
    public long claim(String topic, int partition, String owner) {
        long deadline = clock.millis() + claimTimeout.toMillis();
        String what = "claim of partition " + topic + "-" + partition + " by " + owner;
        for (int attempt = 1; ; attempt++) {
            try {
                return claimOnce(topic, partition, owner);
            } catch (SQLException e) {
                if (e.getErrorCode() != ER_LOCK_WAIT_TIMEOUT || clock.millis() >= deadline) {
                    throw SqlErrors.translate(what + " (attempt " + attempt + ", claim timeout " + claimTimeout + ")", e);
                }
                log.info("[fence {}-{}] {}: a write transaction of the previous owner still holds the fence"
                        + " (attempt {}); waiting for it to end or for the server to close it", topic, partition,
                        owner, attempt);
            }
        }
    }

    private long claimOnce(String topic, int partition, String owner) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            try (Statement s = connection.createStatement()) {
                s.execute("SET SESSION innodb_lock_wait_timeout = " + CLAIM_LOCK_WAIT_SECONDS);
            }
            try {
                connection.setAutoCommit(false);
                try {
                    long epoch = bump(connection, topic, partition, owner);
                    connection.commit();
                    return epoch;
                } catch (SQLException | RuntimeException e) {
                    rollback(connection, e);
                    throw e;
                }
            } finally {
                try (Statement s = connection.createStatement()) {
                    s.execute("SET SESSION innodb_lock_wait_timeout = @@GLOBAL.innodb_lock_wait_timeout");
                }
            }
        }
    }

    private long bump(Connection connection, String topic, int partition, String owner) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO partition_fence (topic, part,"
                + " epoch, owner, claimed_at) VALUES (?, ?, 1, ?, ?) ON DUPLICATE KEY UPDATE epoch = epoch + 1,"
                + " owner = VALUES(owner), claimed_at = VALUES(claimed_at)")) {
            statement.setString(1, topic);
            statement.setInt(2, partition);
            statement.setString(3, owner.length() > 255 ? owner.substring(0, 255) : owner);
            statement.setLong(4, clock.millis());
            statement.executeUpdate();
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT epoch FROM partition_fence WHERE topic = ? AND part = ?")) {
            statement.setString(1, topic);
            statement.setInt(2, partition);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Starts the fenced part of a write transaction on {@code connection} (auto-commit off): sets the
     * idle bound, then checks every partition's epoch under a share lock held until the transaction
     * ends, so no claim can pass this writer before it commits or rolls back.
     *
     * @throws FencedWriteException if another instance claimed one of the partitions since
     */
    public void enter(Connection connection, WriteFence fence) throws SQLException {
        if (fence.isNone()) {
            return;
        }
        boundIdle(connection);
        check(connection, fence);
    }

    /**
     * Bounds how long {@code connection}'s session may sit idle ({@code wait_timeout}) to the write idle
     * timeout, for as long as it runs fenced transactions; {@link #leave} restores it.
     */
    public void boundIdle(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET SESSION wait_timeout = " + idleSeconds);
        }
    }

    /** The write idle timeout a {@link #boundIdle bounded} session has. */
    public Duration idleTimeout() {
        return Duration.ofSeconds(idleSeconds);
    }

    /**
     * The check of {@link #enter} on a session already {@link #boundIdle bounded}: the fence rows read
     * {@code LOCK IN SHARE MODE} inside the open transaction.
     *
     * @throws FencedWriteException if another instance claimed one of the partitions since
     */
    public void check(Connection connection, WriteFence fence) throws SQLException {
        if (fence.isNone()) {
            return;
        }
        Map<Integer, Long> current;
        try (PreparedStatement statement = connection.prepareStatement(checkSql(fence))) {
            bindCheck(Parameters.of(statement), 1, fence);
            try (ResultSet rs = statement.executeQuery()) {
                current = epochs(rs);
            }
        }
        verify(fence, current);
    }

    /**
     * Adds the read of {@link #check} (the fence rows, share-locked) to {@code script}: the epochs the rows hold go
     * into {@code read} by partition when it runs, for {@link #verify} to judge.
     */
    void appendCheck(StatementScript script, WriteFence fence, Map<Integer, Long> read) throws SQLException {
        if (fence.isNone()) {
            throw new IllegalArgumentException("no fence to check");
        }
        script.addQuery(checkSql(fence), (statement, first) -> bindCheck(statement, first, fence),
                rows -> read.putAll(epochs(rows)));
    }

    /** The epochs the fence rows hold, by partition, from the rows of {@link #check}'s read. */
    private static Map<Integer, Long> epochs(ResultSet rs) throws SQLException {
        Map<Integer, Long> current = new HashMap<>();
        while (rs.next()) {
            current.put(rs.getInt(1), rs.getLong(2));
        }
        return current;
    }

    /** @throws FencedWriteException if {@code current} (the stored epochs) differs from the fence's for a partition */
    static void verify(WriteFence fence, Map<Integer, Long> current) {
        Set<Integer> lost = new TreeSet<>();
        fence.epochs().forEach((partition, epoch) -> {
            if (!epoch.equals(current.get(partition))) {
                lost.add(partition);
            }
        });
        if (!lost.isEmpty()) {
            Map<Integer, Long> theirs = new HashMap<>(current);
            theirs.keySet().retainAll(lost);
            throw new FencedWriteException(fence.topic(), lost, "write refused: partitions " + lost + " of "
                    + fence.topic() + " were claimed by another instance (stored epochs " + theirs + ", this writer"
                    + " holds " + fence.epochs() + "); this instance no longer owns them and leaves their records"
                    + " to the new owner");
        }
    }

    private static String checkSql(WriteFence fence) {
        int partitions = fence.epochs().size();
        return "SELECT part, epoch FROM partition_fence WHERE topic = ? AND part IN (" + "?, ".repeat(partitions - 1)
                + "?) LOCK IN SHARE MODE";
    }

    private static int bindCheck(Parameters statement, int first, WriteFence fence) throws SQLException {
        int p = first;
        statement.setString(p++, fence.topic());
        for (int partition : fence.epochs().keySet()) {
            statement.setInt(p++, partition);
        }
        return p;
    }

    /** Restores the server's idle timeout on {@code connection} after a fenced transaction ended. */
    public void leave(Connection connection, WriteFence fence) throws SQLException {
        if (fence.isNone()) {
            return;
        }
        restoreIdle(connection);
    }

    /** Undoes {@link #boundIdle}: the server's own idle timeout again. */
    public void restoreIdle(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET SESSION wait_timeout = @@GLOBAL.wait_timeout");
        }
    }

    /** The stored epoch of a partition, empty if it was never claimed. */
    public java.util.OptionalLong epoch(String topic, int partition) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT epoch FROM partition_fence WHERE topic = ? AND part = ?")) {
            statement.setString(1, topic);
            statement.setInt(2, partition);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? java.util.OptionalLong.of(rs.getLong(1)) : java.util.OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("read of the fence of partition " + topic + "-" + partition, e);
        }
    }

    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }
}
