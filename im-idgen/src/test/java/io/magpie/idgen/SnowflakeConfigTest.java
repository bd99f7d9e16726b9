package io.magpie.idgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnowflakeConfigTest {

    @Test
    void defaultsAreTheContractsOnes() {
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), SnowflakeConfig.defaults().epoch());
        assertEquals(Duration.ofMillis(10), SnowflakeConfig.defaults().maxRollback());
    }

    @Test
    void clampsMaxRollback() {
        assertEquals(Duration.ZERO, new SnowflakeConfig(SnowflakeConfig.DEFAULT_EPOCH, Duration.ofMillis(-5)).maxRollback());
        assertEquals(Duration.ofSeconds(1), new SnowflakeConfig(SnowflakeConfig.DEFAULT_EPOCH, Duration.ofMinutes(1)).maxRollback());
    }

    @Test
    void rejectsEpochBefore1970() {
        assertThrows(IllegalArgumentException.class,
                () -> new SnowflakeConfig(Instant.parse("1969-12-31T00:00:00Z"), Duration.ZERO));
    }

    @Test
    void parseSplitsTheBitFields() {
        long id = SnowflakeId.compose(123_456, 1023, 4095);
        assertEquals(new SnowflakeId(SnowflakeConfig.DEFAULT_EPOCH.toEpochMilli() + 123_456, 1023, 4095),
                SnowflakeId.parse(id, SnowflakeConfig.defaults()));
    }
}
