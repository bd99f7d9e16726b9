package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.server.config.ConfigException;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A start fails on its configuration before it connects to anything (these tests have no servers),
 * and the message names what is wrong: a bad value as itself, not as "unknown" keys read after it.
 */
class MagpieNodeSettingsTest {

    private static final String SECRET = "auth:\n  token-secret: a-test-secret-of-at-least-32-bytes!!\n"
            + "cluster:\n  secret: a-test-cluster-secret-of-at-least-32-bytes\n";

    @Test
    void aBadValueIsReportedAsItselfNotAsUnknownKeys() {
        Settings settings = new Settings(ConfigTree.of(SECRET + """
                mysql:
                  url: "jdbc:mysql://127.0.0.1:1/magpie"
                logic:
                  http-port: abc
                  large-group-threshold: 100
                """, Map.of()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> MagpieNode.start(settings, EnumSet.of(MagpieNode.Role.LOGIC), Clock.systemUTC()));
        assertTrue(e.getMessage().contains("logic.http-port"), e.getMessage());
        assertFalse(e.getMessage().contains("unknown"), e.getMessage());
    }

    @Test
    void aMisspeltKeyStopsTheStartNamingIt() {
        Settings settings = new Settings(ConfigTree.of(SECRET + "gate:\n  tcp-prot: 7100\n", Map.of()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> MagpieNode.start(settings, EnumSet.of(MagpieNode.Role.GATE), Clock.systemUTC()));
        assertTrue(e.getMessage().contains("gate.tcp-prot"), e.getMessage());
    }

    @Test
    void theNacosRegistryWithoutAnAddressStopsTheStartSayingWhatToSet() {
        Settings settings = new Settings(ConfigTree.of(SECRET + "registry:\n  type: nacos\n", Map.of()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> MagpieNode.start(settings, EnumSet.of(MagpieNode.Role.LSB), Clock.systemUTC()));
        assertTrue(e.getMessage().contains("registry.nacos.server-addr is not set"), e.getMessage());
    }
}
