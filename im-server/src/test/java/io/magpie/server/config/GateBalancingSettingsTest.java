package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.GateConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gate.capacity} and {@code gate.zone}: what the LSB balances on. */
class GateBalancingSettingsTest {

    private static GateConfig gate(String yaml, Map<String, String> env) {
        Settings settings = new Settings(ConfigTree.of(yaml, env));
        GateConfig gate = settings.gate();
        settings.rejectUnknownKeys();
        return gate;
    }

    @Test
    void capacityFollowsMaxConnectionsUnlessSetAndThereIsNoZone() {
        assertEquals(200_000, gate("", Map.of()).effectiveCapacity());
        assertEquals(5000, gate("gate:\n  max-connections: 5000\n", Map.of()).effectiveCapacity());
        assertEquals("", gate("", Map.of()).zone());
    }

    @Test
    void theFileAndTheEnvironmentSetThem() {
        GateConfig fromFile = gate("gate:\n  capacity: 30000\n  zone: eu-west-1a\n", Map.of());
        assertEquals(30000, fromFile.effectiveCapacity());
        assertEquals("eu-west-1a", fromFile.zone());
        GateConfig fromEnv = gate("", Map.of("MAGPIE_GATE_CAPACITY", "1234", "MAGPIE_GATE_ZONE", "z2"));
        assertEquals(1234, fromEnv.effectiveCapacity());
        assertEquals("z2", fromEnv.zone());
    }

    @Test
    void aCapacityAboveMaxConnectionsIsRefusedNamingBothKeys() {
        Settings settings = new Settings(ConfigTree.of("gate:\n  max-connections: 100\n  capacity: 500\n", Map.of()));
        RuntimeException e = assertThrows(RuntimeException.class, settings::gate);
        assertTrue(e.getMessage().contains("gate.capacity") && e.getMessage().contains("gate.max-connections"),
                e.getMessage());
    }
}
