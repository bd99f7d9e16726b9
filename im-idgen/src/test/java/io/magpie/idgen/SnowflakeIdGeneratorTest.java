package io.magpie.idgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SnowflakeIdGeneratorTest {

    private static final SnowflakeConfig CONFIG = SnowflakeConfig.defaults();
    private static final long T = CONFIG.epoch().toEpochMilli() + 1_000_000;

    private static SnowflakeId parse(long id) {
        return SnowflakeId.parse(id, CONFIG);
    }

    @Test
    void idsStrictlyIncreaseAndCarryTheWorkerId() {
        ScriptedClock clock = new ScriptedClock(1000, T);
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(513), clock, CONFIG);
        Set<Long> seen = new HashSet<>();
        long previous = 0;
        for (int i = 0; i < 100_000; i++) {
            long id = generator.nextId();
            assertTrue(id > previous, "id " + i + " did not increase");
            assertTrue(seen.add(id));
            assertEquals(513, parse(id).workerId());
            previous = id;
        }
        assertTrue(parse(previous).timestampMillis() > T, "the clock advanced, so must the timestamps");
    }

    @Test
    void firstIdEncodesClockWorkerAndSequenceZero() {
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(3), new ScriptedClock(1, T), CONFIG);
        assertEquals(new SnowflakeId(T, 3, 0), parse(generator.nextId()));
        assertEquals(0L, parse(0).workerId());
    }

    @Test
    void sequenceOverflowWaitsForTheNextMillisecond() {
        // the clock stays at T for the first 4097 reads (script), then moves on
        long[] script = new long[4097];
        Arrays.fill(script, T);
        ScriptedClock clock = new ScriptedClock(1, script);
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(1), clock, CONFIG);
        for (int i = 0; i <= SnowflakeId.MAX_SEQUENCE; i++) {
            SnowflakeId id = parse(generator.nextId());
            assertEquals(T, id.timestampMillis());
            assertEquals(i, id.sequence());
        }
        SnowflakeId overflow = parse(generator.nextId());
        assertEquals(new SnowflakeId(T + 1, 1, 0), overflow);
    }

    @Test
    void smallRollbackIsWaitedOut() {
        // 1000 -> 995 (5 ms back, within the 10 ms limit) -> 996, 997... until it passes 1000 again
        ScriptedClock clock = new ScriptedClock(1, T, T - 5, T - 4, T - 3, T - 2, T - 1);
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(1), clock, CONFIG);
        long first = generator.nextId();
        long second = generator.nextId();
        assertTrue(second > first);
        assertTrue(parse(second).timestampMillis() >= T);
        assertTrue(clock.reads() >= 7, "the generator kept reading the clock until it caught up");
    }

    @Test
    void bigRollbackThrowsNamingDriftAndLimitThenRecovers() {
        ScriptedClock clock = new ScriptedClock(1, T, T - 20, T);
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(1), clock, CONFIG);
        long first = generator.nextId();
        ClockMovedBackwardsException e = assertThrows(ClockMovedBackwardsException.class, generator::nextId);
        assertEquals(20, e.driftMillis());
        assertEquals(10, e.limitMillis());
        assertTrue(e.getMessage().contains("20 ms") && e.getMessage().contains("maxRollback 10 ms"), e.getMessage());
        assertTrue(e.retryable());
        assertTrue(generator.nextId() > first, "once the clock is back, ids flow and still increase");
    }

    @Test
    void lostLeaseRefusesIds() {
        FixedLease lease = new FixedLease(9);
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(lease, new ScriptedClock(1, T), CONFIG);
        generator.nextId();
        lease.lose();
        WorkerIdLostException e = assertThrows(WorkerIdLostException.class, generator::nextId);
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("worker id 9"), e.getMessage());
    }

    @Test
    void clockBeforeEpochIsRefused() {
        SnowflakeConfig config = new SnowflakeConfig(Instant.ofEpochMilli(T + 1000), Duration.ofMillis(10));
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(1), new ScriptedClock(1, T), config);
        IdGenerationException e = assertThrows(IdGenerationException.class, generator::nextId);
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
    }

    @Test
    void workerIdOutsideTenBitsIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new SnowflakeIdGenerator(new FixedLease(1024), Clock.systemUTC(), CONFIG));
    }

    @Test
    void concurrentCallersNeverGetTheSameId() throws Exception {
        SnowflakeIdGenerator generator = new SnowflakeIdGenerator(new FixedLease(2), Clock.systemUTC(), CONFIG);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Callable<List<Long>> task = () -> {
                    List<Long> ids = new ArrayList<>(25_000);
                    for (int i = 0; i < 25_000; i++) {
                        ids.add(generator.nextId());
                    }
                    return ids;
                };
                results.add(pool.submit(task));
            }
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get());
            }
            assertEquals(100_000, all.size());
        } finally {
            pool.shutdownNow();
        }
    }
}
