package io.magpie.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durability of the MySQL a logic role commits to, as gauges on {@code /metrics}:
 * {@code magpie_mysql_innodb_flush_log_at_trx_commit} and {@code magpie_mysql_sync_binlog} (tag
 * {@code role="logic"}), read once with {@code SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog} when the
 * role starts. A SEND_ACK means "committed"; these say what a commit survives (1 = a power loss, 2 = a crash of
 * mysqld only), so every latency number (the load tool's reports among them) can state it. Embedded or
 * external alike: the server is asked, not the configuration.
 */
public final class MysqlDurabilityMeters {

    private static final Logger log = LoggerFactory.getLogger(MysqlDurabilityMeters.class);

    /** What the server answered. */
    public record Durability(int flushLogAtTrxCommit, int syncBinlog) {
    }

    private MysqlDurabilityMeters() {
    }

    /**
     * Asks the server once and registers both gauges; when the query fails the gauges are not registered and
     * the reason is logged at WARN (a missing gauge reads as "unknown", never as a wrong value).
     */
    public static void register(DataSource dataSource, MeterRegistry registry) {
        Durability d;
        try {
            d = read(dataSource);
        } catch (SQLException e) {
            log.warn("[logic] cannot read innodb_flush_log_at_trx_commit and sync_binlog from MySQL ({}); the"
                    + " magpie_mysql_* durability gauges are not exported", e.getMessage(), e);
            return;
        }
        Tags tags = Tags.of("role", "logic");
        Gauge.builder("magpie.mysql.innodb.flush.log.at.trx.commit", d::flushLogAtTrxCommit)
                .description("innodb_flush_log_at_trx_commit of the MySQL this process commits to (read at start):"
                        + " 1 = fsync at every commit, 2 = write at every commit and fsync once a second")
                .tags(tags).register(registry);
        Gauge.builder("magpie.mysql.sync.binlog", d::syncBinlog)
                .description("sync_binlog of the MySQL this process commits to (read at start)")
                .tags(tags).register(registry);
        log.info("[logic] MySQL durability: innodb_flush_log_at_trx_commit={}, sync_binlog={}",
                d.flushLogAtTrxCommit(), d.syncBinlog());
    }

    /** {@code SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog}. */
    public static Durability read(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog")) {
            if (!rs.next()) {
                throw new SQLException("SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog returned no row");
            }
            return new Durability(rs.getInt(1), rs.getInt(2));
        }
    }
}
