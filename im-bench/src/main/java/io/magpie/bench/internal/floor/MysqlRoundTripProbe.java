package io.magpie.bench.internal.floor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One round trip to MySQL on a kept connection ({@code SELECT 1}), as each of the logic writer's
 * statements scripts costs at least: the writer's one-message batch takes three.
 */
public final class MysqlRoundTripProbe implements FloorProbe {

    private final Connection connection;
    private final Statement statement;

    private static final int QUERY_TIMEOUT_SECONDS = 30;

    /**
     * Opens the connection the samples use.
     *
     * @throws SQLException MySQL was not reachable, with what to check
     */
    public MysqlRoundTripProbe(String jdbcUrl, String user, String password) throws SQLException {
        try {
            connection = DriverManager.getConnection(jdbcUrl, user, password);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to MySQL at " + jdbcUrl + " as " + user + " (" + e.getMessage()
                    + "); is the server running? Its 'ready' line names its MySQL", e);
        }
        try {
            statement = connection.createStatement();
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "mysql_round_trip";
    }

    @Override
    public String description() {
        return "SELECT 1 on a kept connection, sent -> its row read";
    }

    @Override
    public long sampleNanos() throws SQLException {
        long start = System.nanoTime();
        try (ResultSet rows = statement.executeQuery("SELECT 1")) {
            if (!rows.next()) {
                throw new IllegalStateException("SELECT 1 returned no row");
            }
        }
        return System.nanoTime() - start;
    }

    @Override
    public void close() throws SQLException {
        try (connection) {
            statement.close();
        }
    }
}
