package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisConfigTest {

    @Test
    void defaultsPrefixAndTimeout() {
        RedisConfig config = RedisConfig.of("redis://127.0.0.1:6379");
        assertEquals("magpie:", config.keyPrefix());
        assertEquals(Duration.ofSeconds(2), config.commandTimeout());
        assertEquals("magpie:", new RedisConfig("redis://h:1", null).keyPrefix());
    }

    @Test
    void rejectsNonRedisUri() {
        assertThrows(IllegalArgumentException.class, () -> RedisConfig.of("http://h:6379"));
    }

    @Test
    void clampsTimeout() {
        assertEquals(Duration.ofMillis(10), new RedisConfig("redis://h:1", "p:", Duration.ofMillis(1)).commandTimeout());
        assertEquals(Duration.ofSeconds(60), new RedisConfig("redis://h:1", "p:", Duration.ofHours(1)).commandTimeout());
    }
}
