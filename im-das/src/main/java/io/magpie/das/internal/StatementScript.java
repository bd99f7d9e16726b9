package io.magpie.das.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Several parameterised statements sent to MySQL as one multi-statement query: one round trip instead of
 * one per statement. The session must allow multi-statements ({@code allowMultiQueries=true}, see
 * {@code Database#writerDataSource}). MySQL runs them in order and stops at the first that fails; the
 * failure is thrown by {@link #execute}, with no way to tell which statement it was beyond its error.
 *
 * <p>The values are written into the text as {@link SqlLiterals} (hexadecimal for text and bytes, so nothing a
 * value holds can change the statements) and the text is sent as a plain statement. A prepared statement would
 * inline them as (quoted) literals too (mysql-connector-j prepares on the client), but first parses the whole text
 * for its placeholders, and the text differs with every batch's row counts, so its cache of parses missed: that
 * parse and the per-value binding took about half of the writer thread's CPU under load (docs/benchmarks.md).
 *
 * <p>A statement added with {@link #addQuery} is a query whose rows go to its own {@link Rows} when the script runs.
 * Not thread-safe: built and run by one thread.
 */
public final class StatementScript {

    /**
     * Sets one statement's parameters in order, starting at {@code first}; returns the index after its last
     * one.
     */
    @FunctionalInterface
    public interface Binder {
        int bind(Parameters parameters, int first) throws SQLException;
    }

    /** Takes the rows of one query of the script. */
    @FunctionalInterface
    public interface Rows {
        void read(ResultSet rows) throws SQLException;
    }

    private final StringBuilder sql = new StringBuilder();
    /** Per statement, in order: the reader of its rows, or null for a statement whose rows are not read. */
    private final List<Rows> readers = new ArrayList<>();

    /**
     * Appends one statement (without the separating semicolon) with its placeholders replaced by the values
     * {@code binder} sets, which must be every one of them, in order. The statement's text holds no {@code ?}
     * but its placeholders (no string literals: the repositories' SQL binds every value).
     *
     * @throws SQLException when the binder fails
     * @throws IllegalStateException when the binder skips a placeholder or binds more than the statement has
     */
    public StatementScript add(String statement, Binder binder) throws SQLException {
        int mark = sql.length();
        try {
            if (!readers.isEmpty()) {
                sql.append(";\n");
            }
            Writer writer = new Writer(statement);
            writer.finish(binder.bind(writer, 1));
        } catch (SQLException | RuntimeException e) {
            sql.setLength(mark); // the script stays as it was: no half-written statement
            throw e;
        }
        readers.add(null);
        return this;
    }

    /**
     * Appends one query, as {@link #add}; {@link #execute} hands its rows to {@code rows}.
     *
     * @throws SQLException when the binder fails
     */
    public StatementScript addQuery(String statement, Binder binder, Rows rows) throws SQLException {
        Objects.requireNonNull(rows, "rows");
        add(statement, binder);
        readers.set(readers.size() - 1, rows);
        return this;
    }

    public boolean isEmpty() {
        return readers.isEmpty();
    }

    /**
     * Runs every statement in one round trip and reads every result, so a failure of any statement is
     * thrown here. Each query added by {@link #addQuery} gets its rows as they are read.
     */
    public void execute(Connection connection) throws SQLException {
        int statements = readers.size();
        if (statements == 0) {
            throw new IllegalStateException("an empty script has nothing to run");
        }
        try (Statement statement = connection.createStatement()) {
            // no JDBC escapes ({fn ...}) in it: the driver need not scan the text for them
            statement.setEscapeProcessing(false);
            boolean rows = statement.execute(sql.toString());
            for (int i = 1; i <= statements; i++) {
                Rows reader = readers.get(i - 1);
                if (reader != null && !rows) {
                    throw new IllegalStateException("statement " + i + " of the script's " + statements
                            + " was added as a query but returned no rows to read");
                }
                if (rows) {
                    try (ResultSet rs = statement.getResultSet()) {
                        if (reader != null) {
                            reader.read(rs);
                        }
                    }
                }
                if (i < statements) {
                    rows = statement.getMoreResults();
                }
            }
        }
    }

    @Override
    public String toString() {
        return sql.toString();
    }

    /** Copies one statement's text into the script, each placeholder replaced by the value bound to it. */
    private final class Writer implements Parameters {
        private final String statement;
        private int copied;
        private int expected = 1;

        Writer(String statement) {
            this.statement = statement;
        }

        @Override
        public void setLong(int index, long value) {
            placeholder(index);
            SqlLiterals.appendLong(sql, value);
        }

        @Override
        public void setInt(int index, int value) {
            placeholder(index);
            SqlLiterals.appendLong(sql, value);
        }

        @Override
        public void setString(int index, String value) {
            placeholder(index);
            SqlLiterals.appendString(sql, value);
        }

        @Override
        public void setBytes(int index, byte[] value) {
            placeholder(index);
            SqlLiterals.appendBytes(sql, value);
        }

        /** Copies the text up to placeholder {@code index}, which must be the next one. */
        private void placeholder(int index) {
            if (index != expected) {
                throw new IllegalStateException("placeholder " + index + " bound out of order: " + expected
                        + " is next in " + abbreviated());
            }
            int at = statement.indexOf('?', copied);
            if (at < 0) {
                throw new IllegalStateException("placeholder " + index + " bound, but the statement has "
                        + (index - 1) + ": " + abbreviated());
            }
            sql.append(statement, copied, at);
            copied = at + 1;
            expected++;
        }

        void finish(int next) {
            if (statement.indexOf('?', copied) >= 0) {
                throw new IllegalStateException("the binder bound " + (expected - 1) + " values but the statement has"
                        + " more placeholders: " + abbreviated());
            }
            if (next != expected) {
                throw new IllegalStateException("the binder bound " + (expected - 1) + " values but returned " + next
                        + " as the next index instead of " + expected + ": " + abbreviated());
            }
            sql.append(statement, copied, statement.length());
        }

        private String abbreviated() {
            return statement.length() <= 200 ? statement : statement.substring(0, 200) + "...";
        }
    }
}
