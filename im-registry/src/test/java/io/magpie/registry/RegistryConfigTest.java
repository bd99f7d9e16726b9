package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void parsesTheTypeInAnyCaseAndNamesTheSettingWhenWrong() {
        assertEquals(RegistryConfig.Type.REDIS, RegistryConfig.Type.parse("redis"));
        assertEquals(RegistryConfig.Type.NACOS, RegistryConfig.Type.parse(" Nacos "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegistryConfig.Type.parse("zookeeper"));
        assertEquals("registry.type must be redis or nacos, got 'zookeeper'", e.getMessage());
    }

    @Test
    void nacosNeedsItsSettingsAndRedisIgnoresThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RegistryConfig(RegistryConfig.Type.NACOS, null));
        assertTrue(e.getMessage().contains("registry.nacos.server-addr"), e.getMessage());
        assertNull(new RegistryConfig(RegistryConfig.Type.REDIS, NacosConfig.of("h:8848")).nacos());
        assertEquals(RegistryConfig.Type.REDIS, RegistryConfig.REDIS_DEFAULT.type());
    }
}
