package io.magpie.router.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotifierConfigTest {

    @Test
    void defaults() {
        NotifierConfig c = NotifierConfig.builder("k:9092").build();

        assertEquals("magpie.", c.topicPrefix());
        assertEquals("magpie.notifier", c.consumerGroup());
        assertEquals(100, c.maxPollRecords());
        assertEquals(Duration.ofSeconds(5), c.sendTimeout());
        assertEquals(5, c.maxAttempts());
        assertEquals(Duration.ofMillis(500), c.retryBackoffMin());
        assertEquals(Duration.ofSeconds(30), c.retryBackoffMax());
        assertNull(c.webhookUrl());
        assertNull(c.webhookAuthorization());
        // 5 x (5 s + 30 s) + 1 min
        assertEquals(Duration.ofSeconds(235), c.maxBatchDuration());
    }

    @Test
    void theGroupFollowsThePrefix() {
        assertEquals("t1.notifier", NotifierConfig.builder("k:9092").topicPrefix("t1.").build().consumerGroup());
    }

    @Test
    void valuesOutOfRangeNameTheSetting() {
        assertMessage("kafka.bootstrap", () -> NotifierConfig.builder(" ").build());
        assertMessage("notifier.max-attempts", () -> NotifierConfig.builder("k").maxAttempts(0).build());
        assertMessage("notifier.max-poll-records", () -> NotifierConfig.builder("k").maxPollRecords(0).build());
        assertMessage("notifier.send-timeout",
                () -> NotifierConfig.builder("k").sendTimeout(Duration.ofMillis(10)).build());
        assertMessage("notifier.retry-backoff-max", () -> NotifierConfig.builder("k")
                .retryBackoffMin(Duration.ofSeconds(2)).retryBackoffMax(Duration.ofSeconds(1)).build());
        assertMessage("notifier.webhook-url", () -> NotifierConfig.builder("k").webhookUrl("ftp://x/y").build());
    }

    private static void assertMessage(String setting, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(setting), e.getMessage());
    }
}
