package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PresenceConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        PresenceConfig d = PresenceConfig.defaults();
        assertEquals(Duration.ofSeconds(5), d.offlineGrace());
        assertEquals(Duration.ofSeconds(2), d.minInterval());
        assertEquals(500, d.maxWatchList());
        assertEquals(200, d.maxQueryUids());
        assertEquals(Duration.ofHours(24), d.watchTtl());
        assertEquals(500, d.fanoutChunk());
        assertEquals(500, d.typingMaxGroupSize());
        assertEquals(d, LogicConfig.builder("k:9092", "x".repeat(32)).build().presence());
    }

    @Test
    void aValueOutOfRangeNamesItsKeyAndBounds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PresenceConfig.defaults().withOfflineGrace(Duration.ofMinutes(6)));
        assertTrue(e.getMessage().contains("logic.presence.offline-grace"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PresenceConfig(Duration.ZERO, Duration.ZERO,
                0, 200, Duration.ofHours(1), 500, 500));
        assertTrue(e.getMessage().contains("logic.presence.max-watch-list must be between 1 and 10000, got 0"),
                e.getMessage());
    }
}
