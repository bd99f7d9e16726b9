package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.StorageException;
import io.magpie.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class InfraWaitTest {

    private final MutableClock clock = new MutableClock();
    private final List<Duration> sleeps = new ArrayList<>();
    private final InfraWait wait = new InfraWait(Duration.ofSeconds(30), clock, d -> {
        sleeps.add(d);
        clock.advance(d);
    });

    @Test
    void aDependencyThatComesUpLateIsWaitedForWithGrowingPauses() {
        AtomicInteger attempts = new AtomicInteger();

        String redis = wait.until("redis", () -> {
            if (attempts.incrementAndGet() < 4) {
                throw new StorageException("connection refused", null, true);
            }
            return "connected";
        });

        assertEquals("connected", redis);
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), sleeps);
    }

    @Test
    void givesUpAfterTheConfiguredWaitWithAMessageThatSaysSo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> wait.until("kafka 10.0.0.9:9092",
                () -> {
                    throw new KafkaException("cannot list topics within 30 s");
                }));

        assertTrue(e.getMessage().contains("kafka 10.0.0.9:9092 still unreachable"), e.getMessage());
        assertTrue(e.getMessage().contains("startup.infra-wait"), e.getMessage());
        assertEquals(Duration.ofSeconds(30), sleeps.stream().reduce(Duration.ZERO, Duration::plus),
                "waits exactly the configured time, no more");
    }

    @Test
    void aFailureNoRetryCanFixIsThrownAtOnce() {
        StorageException migration = new StorageException("schema migration failed", null, false);

        assertSame(migration, assertThrows(StorageException.class, () -> wait.until("mysql", () -> {
            throw migration;
        })));
        assertEquals(List.of(), sleeps);
    }
}
