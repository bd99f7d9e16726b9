package io.magpie.testkit;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stopping and starting the embedded MariaDB in place, as fault tests do: while it is down a
 * connection is refused; afterwards the same JDBC URL works and the data written before is there.
 */
@ExtendWith(InfrastructureExtension.class)
class MysqlRestartIT {

    @Test
    void stoppedMysqlRefusesConnectionsAndComesBackWithItsDataOnTheSamePort(Infrastructure infrastructure,
            TestIsolation isolation) throws SQLException {
        assumeTrue(infrastructure.mysqlRestartable(), "MySQL is external: tests must not stop it");
        try (Connection c = connect(infrastructure, isolation); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE survivor (id INT PRIMARY KEY, text VARCHAR(20))");
            s.execute("INSERT INTO survivor VALUES (1, 'still here')");
        }

        infrastructure.stopMysqlInPlace();
        try {
            assertThrows(SQLException.class, () -> connect(infrastructure, isolation).close(),
                    "a stopped MySQL refuses connections");
        } finally {
            infrastructure.startMysqlInPlace();
        }

        try (Connection c = connect(infrastructure, isolation); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT text FROM survivor WHERE id = 1")) {
            assertTrue(rs.next(), "the row written before the stop is there after the start");
            assertEquals("still here", rs.getString(1));
        }
        infrastructure.startMysqlInPlace(); // idempotent when running
    }

    private static Connection connect(Infrastructure infrastructure, TestIsolation isolation) throws SQLException {
        return DriverManager.getConnection(isolation.jdbcUrl(), infrastructure.mysqlUser(),
                infrastructure.mysqlPassword());
    }
}
