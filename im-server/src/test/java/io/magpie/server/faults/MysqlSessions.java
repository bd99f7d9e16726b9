package io.magpie.server.faults;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What MySQL knows about the deployment's sessions, for the pause faults: the open InnoDB
 * transactions ({@code information_schema.innodb_trx} joined with the processlist, which names each
 * session's client {@code host:port}) and the {@code partition_fence} rows.
 */
final class MysqlSessions {

    /**
     * One open transaction: InnoDB's id, the session (thread) id, the client's port (-1 when the
     * processlist does not show it, as MariaDB with {@code --skip-grant-tables} does), InnoDB's state, the
     * session's command ({@code Sleep}: no statement running, the client has the turn) and the rows it locked.
     */
    record OpenTransaction(String trxId, long threadId, int clientPort, String state, String command,
            long rowsLocked) {

        /** Open with no statement running: the client owes the next statement (or the COMMIT). */
        boolean idle() {
            return "Sleep".equalsIgnoreCase(command);
        }
    }

    /** One fence row. */
    record Fence(long epoch, String owner) {
    }

    private final Infrastructure infra;
    private final TestIsolation isolation;

    MysqlSessions(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
    }

    /**
     * Open transactions of sessions on the deployment's database whose client port is in {@code ports}
     * or unknown (every session's when {@code ports} is null).
     */
    List<OpenTransaction> openTransactions(Set<Integer> ports) {
        String sql = "SELECT t.trx_id, t.trx_mysql_thread_id, p.HOST, t.trx_state, p.COMMAND, t.trx_rows_locked"
                + " FROM information_schema.innodb_trx t JOIN information_schema.PROCESSLIST p"
                + " ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?";
        List<OpenTransaction> open = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, isolation.database());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String host = rs.getString(3);
                    int colon = host == null ? -1 : host.lastIndexOf(':');
                    int port = colon < 0 ? -1 : Integer.parseInt(host.substring(colon + 1));
                    if (ports == null || port < 0 || ports.contains(port)) {
                        open.add(new OpenTransaction(rs.getString(1), rs.getLong(2), port, rs.getString(4),
                                rs.getString(5), rs.getLong(6)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("reading information_schema.innodb_trx failed: " + e.getMessage(), e);
        }
        return open;
    }

    /** Whether MySQL still has a session with this thread id. */
    boolean sessionAlive(long threadId) {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                     + " WHERE ID = ?")) {
            ps.setLong(1, threadId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw new AssertionError("reading the processlist failed: " + e.getMessage(), e);
        }
    }

    /** The fence rows of {@code topic}, by partition. */
    Map<Integer, Fence> fences(String topic) {
        Map<Integer, Fence> fences = new TreeMap<>();
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT part, epoch, owner FROM partition_fence WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fences.put(rs.getInt(1), new Fence(rs.getLong(2), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("reading partition_fence failed: " + e.getMessage(), e);
        }
        return fences;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(isolation.jdbcUrl() + "&connectTimeout=5000&socketTimeout=10000",
                infra.mysqlUser(), infra.mysqlPassword());
    }
}
