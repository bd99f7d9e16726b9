package io.magpie.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.InfrastructureConfig;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The durability gauges on {@code /metrics} carry what the MySQL server answers; with the testkit's embedded
 * MariaDB that is the configured {@code innodb_flush_log_at_trx_commit} (2 unless
 * {@code MAGPIE_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT} says otherwise).
 */
@ExtendWith(InfrastructureExtension.class)
class MysqlDurabilityMetersIT {

    @Test
    void theGaugesShowWhatTheServerRunsWith(Infrastructure infra, TestIsolation isolation) throws Exception {
        try (Database database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(),
                infra.mysqlPassword(), 2));
                NodeMeters meters = new NodeMeters()) {
            MysqlDurabilityMeters.Durability answered = MysqlDurabilityMeters.read(database.dataSource());
            InfrastructureConfig config = InfrastructureConfig.fromEnvironment(System.getenv());
            if (config.externalMysql().isEmpty()) {
                assertEquals(config.mysqlFlushLogAtTrxCommit(), answered.flushLogAtTrxCommit());
            }

            MysqlDurabilityMeters.register(database.dataSource(), meters.registry());

            String scrape = meters.scrape();
            assertTrue(scrape.contains("magpie_mysql_innodb_flush_log_at_trx_commit{role=\"logic\"} "
                    + answered.flushLogAtTrxCommit() + ".0"), scrape);
            assertTrue(scrape.contains("magpie_mysql_sync_binlog{role=\"logic\"} " + answered.syncBinlog() + ".0"),
                    scrape);
        }
    }
}
