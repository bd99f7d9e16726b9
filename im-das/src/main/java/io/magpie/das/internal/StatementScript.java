package io.magpie.das.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several parameterised statements sent to MySQL as one multi-statement query: one round trip instead of
 * one per statement. The session must allow multi-statements ({@code allowMultiQueries=true}, see
 * {@code Database#writerDataSource}). MySQL runs them in order and stops at the first that fails; the
 * failure is thrown by {@link #execute}, with no way to tell which statement it was beyond its error.
 *
 * <p>The last statement may be a query: its rows go to the {@link RowsReader} given to {@link #execute}.
 * Not thread-safe: built and run by one thread.
 */
public final class StatementScript {

    /** Sets one statement's parameters, starting at {@code first}; returns the index after its last one. */
    @FunctionalInterface
    public interface Binder {
        int bind(PreparedStatement statement, int first) throws SQLException;
    }

    /** Reads the rows of the script's last statement. */
    @FunctionalInterface
    public interface RowsReader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private final StringBuilder sql = new StringBuilder();
    private final List<Binder> binders = new ArrayList<>();

    /** Appends one statement (without the separating semicolon) and what binds its placeholders. */
    public StatementScript add(String statement, Binder binder) {
        if (!binders.isEmpty()) {
            sql.append(";\n");
        }
        sql.append(statement);
        binders.add(binder);
        return this;
    }

    public boolean isEmpty() {
        return binders.isEmpty();
    }

    /**
     * Runs every statement in one round trip and reads every result, so a failure of any statement is
     * thrown here.
     *
     * @param last reads the rows of the last statement, which must be a query; null when it is not
     * @return what {@code last} read, or null
     */
    public <T> T execute(Connection connection, RowsReader<T> last) throws SQLException {
        if (binders.isEmpty()) {
            throw new IllegalStateException("an empty script has nothing to run");
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int p = 1;
            for (Binder binder : binders) {
                p = binder.bind(statement, p);
            }
            boolean rows = statement.execute();
            T read = null;
            for (int i = 1; i <= binders.size(); i++) {
                if (rows) {
                    try (ResultSet rs = statement.getResultSet()) {
                        if (i == binders.size() && last != null) {
                            read = last.read(rs);
                        }
                    }
                }
                if (i < binders.size()) {
                    rows = statement.getMoreResults();
                }
            }
            if (last != null && read == null) {
                throw new IllegalStateException("the last of the script's " + binders.size()
                        + " statements returned no rows to read; a reader is only for a script that ends with a query");
            }
            return read;
        }
    }

    @Override
    public String toString() {
        return sql.toString();
    }
}
