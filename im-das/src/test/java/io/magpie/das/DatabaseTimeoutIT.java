package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server that does not answer fails the statement at mysql.socket-timeout instead of hanging its caller. */
@ExtendWith(InfrastructureExtension.class)
class DatabaseTimeoutIT {

    @Test
    void aStatementWhoseReplyNeverComesFailsAtTheSocketTimeoutAndThePoolStillServes(Infrastructure infra,
            TestIsolation isolation) throws SQLException {
        MysqlConfig config = new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2,
                Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (Database database = Database.open(config)) {
            // SLEEP stands in for a frozen server or a half-open socket: no reply for longer than the timeout
            assertThrows(SQLException.class, () -> {
                try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                    s.executeQuery("SELECT SLEEP(30)");
                }
            });

            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }
}
