package io.magpie.idgen.internal;

import io.magpie.idgen.IdGenerationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import javax.sql.DataSource;

/**
 * Takes the next segment of a biz tag from table {@code id_segment(biz_tag, max_id, step, updated_at)}:
 * {@code UPDATE ... SET max_id = max_id + step} and a read of the new row in one transaction; the
 * row lock makes concurrent takers (any process) get disjoint segments. A missing row is created
 * first (max_id 0) in its own statement, outside the transaction, so two first users cannot
 * deadlock on the insert.
 *
 * <p>Thread-safe (a connection per call; HikariCP restores auto-commit when it goes back to the pool).
 */
public final class SegmentTable {

    // milliseconds since the epoch, on the database's clock: only bookkeeping for operators
    private static final String NOW_MILLIS = "ROUND(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000)";

    private final DataSource dataSource;
    private final String bizTag;
    private final int initialStep;

    /**
     * @param initialStep the step of a row this table creates; an existing row's step (which an
     *                    operator may change) always wins
     */
    public SegmentTable(DataSource dataSource, String bizTag, int initialStep) {
        this.dataSource = dataSource;
        this.bizTag = bizTag;
        this.initialStep = initialStep;
    }

    /**
     * @throws IdGenerationException if the database fails; retryable for transient faults
     */
    public Segment next() {
        try (Connection connection = dataSource.getConnection()) {
            Segment segment = advance(connection);
            if (segment == null) {
                createIfAbsent(connection);
                segment = advance(connection);
                if (segment == null) {
                    throw new IdGenerationException("id_segment row '" + bizTag + "' vanished right after it was"
                            + " created; is someone deleting it?", false);
                }
            }
            return segment;
        } catch (SQLException e) {
            boolean retryable = e instanceof SQLTransientException || e instanceof SQLRecoverableException
                    || e instanceof SQLNonTransientConnectionException;
            throw new IdGenerationException("cannot take the next id segment of '" + bizTag + "' from id_segment: "
                    + e.getMessage() + " (errorCode " + e.getErrorCode() + ")", e, retryable);
        }
    }

    /** The next segment, or null when the biz tag has no row yet. */
    private Segment advance(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try {
            Segment segment = null;
            try (PreparedStatement update = connection.prepareStatement("UPDATE id_segment SET max_id = max_id + step,"
                    + " updated_at = " + NOW_MILLIS + " WHERE biz_tag = ?")) {
                update.setString(1, bizTag);
                if (update.executeUpdate() == 1) {
                    segment = readSegment(connection);
                }
            }
            connection.commit();
            return segment;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
    }

    private Segment readSegment(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT max_id, step FROM id_segment WHERE biz_tag = ?")) {
            select.setString(1, bizTag);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("id_segment row '" + bizTag + "' disappeared inside its transaction");
                }
                long maxId = rs.getLong(1);
                int step = rs.getInt(2);
                if (step < 1) {
                    throw new IdGenerationException("id_segment row '" + bizTag + "' has step " + step
                            + "; set it to a positive value", false);
                }
                return new Segment(maxId - step + 1, maxId);
            }
        }
    }

    private void createIfAbsent(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO id_segment (biz_tag, max_id, step,"
                + " updated_at) VALUES (?, 0, ?, " + NOW_MILLIS + ") ON DUPLICATE KEY UPDATE biz_tag = biz_tag")) {
            insert.setString(1, bizTag);
            insert.setInt(2, initialStep);
            insert.executeUpdate();
        }
    }
}
