package io.magpie.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

    @Test
    void defaults() {
        RouterConfig c = RouterConfig.builder("localhost:9092").build();

        assertEquals("magpie.", c.topicPrefix());
        assertEquals("magpie.router", c.consumerGroup());
        assertEquals(Duration.ofSeconds(5), c.pushTimeout());
        assertEquals(500, c.maxPollRecords());
    }

    @Test
    void outOfRangeValuesNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouterConfig.builder("k:1").pushTimeout(Duration.ofMillis(1)).build());
        assertTrue(e.getMessage().startsWith("router.push-timeout must be between"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RouterConfig.builder("k:1").maxPollRecords(0).build());
        assertTrue(e.getMessage().startsWith("router.max-poll-records"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RouterConfig.builder(" ").build());
        assertTrue(e.getMessage().startsWith("kafka.bootstrap is required"), e.getMessage());
    }
}
