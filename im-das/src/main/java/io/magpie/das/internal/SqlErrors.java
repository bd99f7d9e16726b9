package io.magpie.das.internal;

import io.magpie.registry.StorageException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Optional;
import java.util.Set;

/** Classifies MySQL / MariaDB errors: retryable or not, duplicate key and which key. */
public final class SqlErrors {

    public static final int ER_DUP_ENTRY = 1062;
    public static final int ER_DUP_ENTRY_WITH_KEY_NAME = 1586;

    /**
     * Server and client error codes after which the same statement can succeed: too many
     * connections, server shutdown, lock wait timeout, deadlock, query interrupted, server gone,
     * lost connection.
     */
    private static final Set<Integer> RETRYABLE_CODES = Set.of(1040, 1053, 1205, 1213, 1317, 2006, 2013);

    private SqlErrors() {
    }

    /** Whether running the same statement (or transaction) again may succeed. */
    public static boolean retryable(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || e instanceof SQLNonTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("40"))) {
            return true;
        }
        return RETRYABLE_CODES.contains(e.getErrorCode());
    }

    public static boolean isDuplicateKey(SQLException e) {
        return e.getErrorCode() == ER_DUP_ENTRY || e.getErrorCode() == ER_DUP_ENTRY_WITH_KEY_NAME;
    }

    /**
     * The name of the unique key a duplicate-entry error names, without the table prefix MySQL 8
     * adds ({@code "Duplicate entry 'x' for key 'message.uk_a'"} -> {@code uk_a}; MariaDB writes
     * {@code 'uk_a'}).
     */
    public static Optional<String> duplicateKeyName(SQLException e) {
        String message = e.getMessage();
        if (message == null) {
            return Optional.empty();
        }
        int start = message.lastIndexOf("for key '");
        if (start < 0) {
            return Optional.empty();
        }
        start += "for key '".length();
        int end = message.indexOf('\'', start);
        if (end < 0) {
            return Optional.empty();
        }
        String name = message.substring(start, end);
        return Optional.of(name.substring(name.lastIndexOf('.') + 1));
    }

    /** A {@link StorageException} for {@code action} that failed with {@code e}. */
    public static StorageException translate(String action, SQLException e) {
        boolean retryable = retryable(e);
        return new StorageException(action + " failed: " + e.getMessage() + " (errorCode " + e.getErrorCode()
                + ", SQLState " + e.getSQLState() + "; " + (retryable ? "retryable" : "not retryable") + ")",
                e, retryable);
    }
}
