package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.engines.InfrastructureConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code infra.*} keys Settings reads without depending on im-engines (the roles' jar has no engines). */
class InfraSettingsTest {

    @Test
    void theFlushDefaultIsTheEmbeddedMariaDbsOwn() {
        assertEquals(InfrastructureConfig.DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT,
                Settings.DEFAULT_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT);
        assertEquals(InfrastructureConfig.DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT,
                new Settings(ConfigTree.of("", Map.of())).infraMysqlFlushLogAtTrxCommit());
    }
}
