package io.magpie.engines.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.InfrastructureConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * {@code InfrastructureConfig#mysqlFlushLogAtTrxCommit} reaches the embedded server: mariadbd started with
 * 1 (full durability, not the default 2) answers 1 to {@code SELECT @@innodb_flush_log_at_trx_commit}, and
 * says so in its one-line description (the standalone's ready line).
 */
class EmbeddedMariaDbDurabilityIT {

    @Test
    void theConfiguredFlushLogAtTrxCommitReachesTheServer() throws Exception {
        Path binaries = InfrastructureConfig.fromEnvironment(System.getenv()).dataDir();
        Path slot = Files.createTempDirectory(binaries.getParent(), "magpie-durability-slot-");
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(binaries, slot, 1);
                Connection c = db.endpoint().connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@innodb_flush_log_at_trx_commit")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
            assertTrue(db.describe().endsWith(" flush_log_at_trx_commit=1"), db.describe());
        } finally {
            Dirs.deleteRecursively(slot);
        }
    }
}
