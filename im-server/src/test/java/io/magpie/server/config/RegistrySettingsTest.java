package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.NacosConfig;
import io.magpie.registry.RegistryConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code registry.*}: Redis by default, Nacos by configuration, refusals naming the key. */
class RegistrySettingsTest {

    @Test
    void redisIsTheDefault() {
        RegistryConfig config = new Settings(ConfigTree.of("", Map.of())).registry();
        assertEquals(RegistryConfig.Type.REDIS, config.type());
        assertNull(config.nacos());
    }

    @Test
    void nacosFromTheFileWithTheSecretFromTheEnvironment() {
        RegistryConfig config = new Settings(ConfigTree.of("""
                registry:
                  type: nacos
                  nacos:
                    server-addr: 10.0.0.9:8848,10.0.0.10:8848
                    namespace: prod
                    username: magpie
                """, Map.of("MAGPIE_REGISTRY_NACOS_PASSWORD", "from-the-env"))).registry();
        assertEquals(new NacosConfig("10.0.0.9:8848,10.0.0.10:8848", "prod", "DEFAULT_GROUP", "magpie-gate", "magpie",
                "from-the-env"), config.nacos());
    }

    @Test
    void theEnvironmentAloneSelectsNacos() {
        RegistryConfig config = new Settings(ConfigTree.of("", Map.of("MAGPIE_REGISTRY_TYPE", "nacos",
                "MAGPIE_REGISTRY_NACOS_SERVER_ADDR", "nacos:8848", "MAGPIE_REGISTRY_NACOS_GROUP", "im",
                "MAGPIE_REGISTRY_NACOS_SERVICE", "gates"))).registry();
        assertEquals(new NacosConfig("nacos:8848", "", "im", "gates", null, null), config.nacos());
    }

    @Test
    void nacosWithoutAnAddressSaysWhatToSet() {
        String message = message("registry:\n  type: nacos\n");
        assertTrue(message.contains("registry.type is nacos but registry.nacos.server-addr is not set")
                && message.contains("MAGPIE_REGISTRY_NACOS_SERVER_ADDR"), message);
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertTrue(message("registry:\n  type: zookeeper\n").contains("registry.type must be redis or nacos"));
        assertTrue(message("registry:\n  type: nacos\n  nacos:\n    server-addr: h:8848\n    group: 'a b'\n")
                .contains("registry.nacos.group"));
        assertTrue(message("registry:\n  type: nacos\n  nacos:\n    server-addr: h:8848\n    username: u\n")
                .contains("registry.nacos.password"));
    }

    @Test
    void nacosKeysAreKnownEvenWithTheRedisRegistry() {
        Settings settings = new Settings(ConfigTree.of("registry:\n  nacos:\n    server-addr: h:8848\n", Map.of()));
        settings.rejectUnknownKeys(); // does not throw: registry.nacos.* are read whatever the type
        assertEquals(RegistryConfig.Type.REDIS, settings.registry().type());
    }

    private static String message(String yaml) {
        return assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(yaml, Map.of())).registry())
                .getMessage();
    }
}
