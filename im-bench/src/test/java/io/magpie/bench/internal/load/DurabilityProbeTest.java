package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.bench.internal.report.Durability;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DurabilityProbeTest {

    private static final String SCRAPE = """
            # HELP magpie_mysql_innodb_flush_log_at_trx_commit innodb_flush_log_at_trx_commit of the MySQL
            # TYPE magpie_mysql_innodb_flush_log_at_trx_commit gauge
            magpie_mysql_innodb_flush_log_at_trx_commit{role="logic"} 1.0
            # TYPE magpie_mysql_sync_binlog gauge
            magpie_mysql_sync_binlog{role="logic"} 0.0
            jvm_threads_live_threads 42.0
            """;

    @Test
    void readsBothGaugesFromAPrometheusScrape() {
        Durability d = DurabilityProbe.parse(SCRAPE, "http://127.0.0.1:8090/metrics");

        assertEquals(OptionalInt.of(1), d.flushLogAtTrxCommit());
        assertEquals(OptionalInt.of(0), d.syncBinlog());
        assertEquals("flush_log_at_trx_commit=1", d.summary());
    }

    @Test
    void aScrapeWithoutTheGaugeIsUnknownWithTheReason() {
        Durability d = DurabilityProbe.parse("jvm_threads_live_threads 42.0\n", "http://h/metrics");

        assertEquals("unknown", d.summary());
        assertTrue(d.describe().contains("has no magpie_mysql_innodb_flush_log_at_trx_commit"), d.describe());
    }

    @Test
    void aMetricWhoseNameOnlyStartsWithTheGaugesIsNotIt() {
        assertEquals(OptionalInt.empty(),
                DurabilityProbe.gauge("magpie_mysql_sync_binlog_other 3.0\n", "magpie_mysql_sync_binlog"));
        assertEquals(OptionalInt.of(2), DurabilityProbe.gauge("magpie_mysql_sync_binlog 2.0\n", "magpie_mysql_sync_binlog"));
    }

    @Test
    void aUrlThatDoesNotAnswerIsUnknown() {
        Durability d = DurabilityProbe.probe(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:1/metrics"),
                Duration.ofSeconds(2));

        assertEquals("unknown", d.summary());
        assertTrue(d.describe().startsWith("unknown (GET http://127.0.0.1:1/metrics failed"), d.describe());
    }
}
