package io.magpie.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogicConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaults() {
        LogicConfig c = LogicConfig.builder("localhost:9092", SECRET).build();

        assertEquals("magpie.", c.topicPrefix());
        assertEquals("magpie.logic", c.consumerGroup());
        assertEquals(500, c.maxPollRecords());
        assertEquals(8081, c.httpPort());
        assertEquals(Duration.ofMinutes(15), c.tokenTtl());
        assertEquals(210_000, c.pbkdf2Iterations());
        assertEquals(2000, c.maxGroupMembers());
        assertEquals(200, c.largeGroupThreshold());
        assertEquals(Duration.ofSeconds(30), c.syncVersionWindow());
        assertEquals(200, c.queriesPerPoll());
        assertEquals(10_000, c.queryBacklog());
    }

    @Test
    void theGroupFollowsThePrefix() {
        assertEquals("t1.logic", LogicConfig.builder("k:1", SECRET).topicPrefix("t1.").build().consumerGroup());
    }

    @Test
    void outOfRangeValuesNameTheSetting() {
        assertMessage("auth.token-secret must be at least 32 bytes",
                () -> LogicConfig.builder("k:1", "short").build());
        assertMessage("logic.http-port must be between 0 and 65535",
                () -> LogicConfig.builder("k:1", SECRET).httpPort(70_000).build());
        assertMessage("logic.pbkdf2-iterations must be between 1000",
                () -> LogicConfig.builder("k:1", SECRET).pbkdf2Iterations(10).build());
        assertMessage("kafka.bootstrap is required", () -> LogicConfig.builder("", SECRET).build());
        assertMessage("LogicConfig.retryBackoffMax (set in code, no YAML key) must be between PT1S",
                () -> LogicConfig.builder("k:1", SECRET).retryBackoffMin(Duration.ofSeconds(1))
                        .retryBackoffMax(Duration.ofMillis(10)).build());
        assertMessage("logic.max-group-members must be between 2 and 50000",
                () -> LogicConfig.builder("k:1", SECRET).maxGroupMembers(1).build());
        assertMessage("logic.large-group-threshold must be between 0 and 50000",
                () -> LogicConfig.builder("k:1", SECRET).largeGroupThreshold(-1).build());
        assertMessage("logic.sync-version-window must be between PT0S and PT10M",
                () -> LogicConfig.builder("k:1", SECRET).syncVersionWindow(Duration.ofHours(1)).build());
        assertMessage("logic.queries-per-poll must be between 1",
                () -> LogicConfig.builder("k:1", SECRET).queriesPerPoll(0).build());
    }

    @Test
    void theSecretNeverShowsInToString() {
        String s = LogicConfig.builder("k:1", SECRET).build().toString();
        assertFalse(s.contains(SECRET));
        assertTrue(s.contains("32 bytes"));
    }

    @Test
    void theWriteIdleTimeoutDefaultsToFiveSecondsAndIsBoundedByItsYamlKey() {
        LogicConfig.Builder b = LogicConfig.builder("localhost:9092", SECRET);
        assertEquals(Duration.ofSeconds(5), b.build().writeIdleTimeout());
        assertMessage("logic.write-idle-timeout", () -> b.writeIdleTimeout(Duration.ofMillis(500)).build());
        assertMessage("logic.write-idle-timeout", () -> b.writeIdleTimeout(Duration.ofMinutes(6)).build());
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(part), x.getMessage());
    }
}
