package io.magpie.das.internal;

import io.magpie.registry.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One MySQL transaction around a piece of work: commit when it returns, roll back (a rollback failure
 * attached as suppressed) when it throws, and every {@link SQLException} translated into a
 * {@link StorageException} naming {@code what}. Stateless.
 */
public final class Transactions {

    private Transactions() {
    }

    /** Work inside the transaction; it must not commit or roll back itself. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * @param what names the work in the exception, e.g. "recall of message 5 of g_7"
     * @throws StorageException when MySQL failed (nothing of the work was committed)
     */
    public static <T> T run(DataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, false, work);
    }

    /**
     * As {@link #run(DataSource, String, Work)} under READ COMMITTED: no gap locks, for work whose locking reads
     * may find no row (under REPEATABLE READ two such transactions on different keys of one gap deadlock on
     * their inserts) and that is serialized by row locks of its own.
     */
    public static <T> T runReadCommitted(DataSource dataSource, String what, Work<T> work) {
        return run(dataSource, what, true, work);
    }

    private static <T> T run(DataSource dataSource, String what, boolean readCommitted, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            // HikariCP restores auto-commit and the isolation level when the connection goes back to the pool
            if (readCommitted) {
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }
}
