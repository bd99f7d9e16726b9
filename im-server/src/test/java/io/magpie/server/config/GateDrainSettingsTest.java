package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.DrainSettings;
import io.magpie.server.admin.GateAdminConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gate.admin-token} and {@code gate.drain.*}: defaults, the environment, refusals naming the key. */
class GateDrainSettingsTest {

    @Test
    void defaultsLeaveTheEndpointOffAndDrainAt500PerSecondWithin30Seconds() {
        GateAdminConfig config = new Settings(ConfigTree.of("", Map.of())).gateAdmin();
        assertNull(config.adminToken());
        assertEquals(DrainSettings.defaults(), config.drain());
        assertEquals(500, config.drain().reconnectsPerSecond());
        assertEquals(Duration.ofSeconds(30), config.drain().deadline());
    }

    @Test
    void theFileAndTheEnvironmentSetThem() {
        GateAdminConfig config = new Settings(ConfigTree.of("gate:\n  drain:\n    deadline: 2m\n",
                Map.of("MAGPIE_GATE_DRAIN_RECONNECTS_PER_SECOND", "50",
                        "MAGPIE_GATE_ADMIN_TOKEN", "gate-drain-settings-test-token-0123456789"))).gateAdmin();
        assertEquals(new DrainSettings(50, Duration.ofMinutes(2), Duration.ofSeconds(2)), config.drain());
        assertEquals("gate-drain-settings-test-token-0123456789", config.adminToken());
        assertTrue(config.toString().contains("***") && !config.toString().contains("0123456789"), config.toString());
    }

    @Test
    void outOfRangeValuesAndWeakTokensAreRefusedNamingTheKey() {
        assertTrue(message("gate:\n  drain:\n    reconnects-per-second: 0\n")
                .contains("gate.drain.reconnects-per-second must be 1..100000"));
        assertTrue(message("gate:\n  drain:\n    deadline: 10ms\n").contains("gate.drain.deadline"));
        assertTrue(message("gate:\n  admin-token: short\n").contains("gate.admin-token must be at least 32"));
        assertTrue(message("gate:\n  admin-token: change-me-change-me-change-me-change-me\n")
                .contains("gate.admin-token is refused"));
    }

    private static String message(String yaml) {
        return assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(yaml, Map.of())).gateAdmin())
                .getMessage();
    }
}
