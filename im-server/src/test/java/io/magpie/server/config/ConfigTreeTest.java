package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTreeTest {

    @Test
    void readsTypedValuesWithDefaults() {
        ConfigTree tree = ConfigTree.of("""
                gate:
                  tcp-port: 7100
                  login-timeout: 750ms
                  app-ids: [chat, games]
                """, Map.of());
        assertEquals(7100, tree.integer("gate.tcp-port", 7000));
        assertEquals(7001, tree.integer("gate.ws-port", 7001));
        assertEquals(Duration.ofMillis(750), tree.duration("gate.login-timeout", Duration.ofSeconds(5)));
        assertEquals(List.of("chat", "games"), tree.list("gate.app-ids", List.of()));
    }

    @Test
    void environmentOverridesTheFile() {
        ConfigTree tree = ConfigTree.of("gate:\n  tcp-port: 7100\n", Map.of("MAGPIE_GATE_TCP_PORT", "7200"));
        assertEquals(7200, tree.integer("gate.tcp-port", 7000));
    }

    @Test
    void anUnknownKeyFailsTheStartNamingIt() {
        ConfigTree tree = ConfigTree.of("gate:\n  tcp-prot: 7100\n  ws-port: 7001\n", Map.of());
        tree.integer("gate.ws-port", 7001);
        ConfigException e = assertThrows(ConfigException.class, tree::rejectUnknownKeys);
        assertTrue(e.getMessage().contains("gate.tcp-prot"), e.getMessage());
    }

    @Test
    void badValuesNameTheKey() {
        ConfigTree tree = ConfigTree.of("gate:\n  tcp-port: seven\n  heartbeat: soon\n", Map.of());
        assertTrue(assertThrows(ConfigException.class, () -> tree.integer("gate.tcp-port", 1))
                .getMessage().contains("gate.tcp-port"));
        assertTrue(assertThrows(ConfigException.class, () -> tree.duration("gate.heartbeat", Duration.ZERO))
                .getMessage().contains("gate.heartbeat"));
    }

    @Test
    void defaultsFilledByStandaloneNeverOverrideTheOperator() {
        ConfigTree tree = ConfigTree.of("redis:\n  uri: redis://10.0.0.1:6379\n",
                Map.of("MAGPIE_KAFKA_BOOTSTRAP", "broker:9092"));
        tree.setDefault("redis.uri", "redis://127.0.0.1:1");
        tree.setDefault("kafka.bootstrap", "127.0.0.1:2");
        tree.setDefault("mysql.url", "jdbc:mysql://127.0.0.1:3/magpie");
        assertEquals("redis://10.0.0.1:6379", tree.string("redis.uri", null));
        assertEquals("broker:9092", tree.string("kafka.bootstrap", null));
        assertEquals("jdbc:mysql://127.0.0.1:3/magpie", tree.string("mysql.url", null));
    }

    @Test
    void settingsRefuseAShortTokenSecret() {
        Settings settings = new Settings(ConfigTree.of("auth:\n  token-secret: short\n", Map.of()));
        assertTrue(assertThrows(ConfigException.class, settings::tokenSecret).getMessage().contains("auth.token-secret"));
    }

    @Test
    void everySampleConfigIsAcceptedByItsRoleAndTyposAreNot() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("..", "deploy", "config");
        for (String role : List.of("gate", "lsb", "logic", "router", "notifier", "standalone")) {
            Settings settings = new Settings(ConfigTree.load(dir.resolve(role + ".yaml"), Map.of()));
            settings.rejectUnknownKeys();
        }
        Settings typo = new Settings(ConfigTree.of("gate:\n  tcp-prot: 1\n", Map.of()));
        assertTrue(assertThrows(ConfigException.class, typo::rejectUnknownKeys).getMessage().contains("gate.tcp-prot"));
    }
}
