package io.magpie.idgen;

import java.time.Clock;
import java.util.Objects;

/**
 * Global, time-ordered message ids: 41 bits of milliseconds since {@link SnowflakeConfig#epoch()},
 * the 10-bit worker id of a {@link WorkerIdLease}, and a 12-bit sequence (4096 ids per ms; the
 * 4097th waits for the next millisecond). Ids from one generator strictly increase.
 *
 * <p>A clock that moves back by at most {@link SnowflakeConfig#maxRollback()} is waited out; a larger
 * rollback throws {@link ClockMovedBackwardsException}. Once the lease is no longer
 * {@link WorkerIdLease#valid() valid}, every call throws {@link WorkerIdLostException}.
 *
 * <p>Thread-safe (calls are serialised). The lease is owned by the caller.
 */
public final class SnowflakeIdGenerator implements IdGenerator {

    private final WorkerIdLease lease;
    private final Clock clock;
    private final int workerId;
    private final long epochMillis;
    private final long maxRollbackMillis;

    private long lastMillis = Long.MIN_VALUE;
    private int sequence;

    public SnowflakeIdGenerator(WorkerIdLease lease, Clock clock, SnowflakeConfig config) {
        this.lease = Objects.requireNonNull(lease, "lease");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.workerId = lease.workerId();
        if (workerId < 0 || workerId > SnowflakeId.MAX_WORKER_ID) {
            throw new IllegalArgumentException("worker id must be 0.." + SnowflakeId.MAX_WORKER_ID + ", got " + workerId);
        }
        this.epochMillis = config.epoch().toEpochMilli();
        this.maxRollbackMillis = config.maxRollback().toMillis();
    }

    /**
     * @throws WorkerIdLostException         if the lease is lost
     * @throws ClockMovedBackwardsException  if the clock went back more than maxRollback
     * @throws IdGenerationException         if the clock is before the epoch or past the 41-bit range,
     *                                       or the thread was interrupted while waiting
     */
    @Override
    public synchronized long nextId() {
        if (!lease.valid()) {
            throw new WorkerIdLostException(workerId);
        }
        long now = clock.millis();
        if (now < lastMillis) {
            now = waitUntilAtLeast(lastMillis, now);
        }
        if (now == lastMillis) {
            sequence = (sequence + 1) & SnowflakeId.MAX_SEQUENCE;
            if (sequence == 0) {
                now = waitUntilAtLeast(lastMillis + 1, now); // 4096 ids this ms: take the next one
            }
        } else {
            sequence = 0;
        }
        lastMillis = now;
        return SnowflakeId.compose(offset(now), workerId, sequence);
    }

    /** Reads the clock until it reaches {@code target}, tolerating a rollback up to the limit. */
    private long waitUntilAtLeast(long target, long now) {
        while (now < target) {
            long drift = lastMillis - now;
            if (drift > maxRollbackMillis) {
                throw new ClockMovedBackwardsException(drift, maxRollbackMillis);
            }
            if (target - now > 1) {
                sleep(target - now - 1);
            } else {
                Thread.onSpinWait();
            }
            now = clock.millis();
        }
        return now;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IdGenerationException("interrupted while waiting for the clock to catch up", e, true);
        }
    }

    private long offset(long now) {
        long offset = now - epochMillis;
        if (offset < 0 || offset > SnowflakeId.MAX_TIMESTAMP_OFFSET) {
            throw new IdGenerationException("clock " + now + " ms is outside the 41-bit range of epoch "
                    + epochMillis + " ms; check the clock and SnowflakeConfig.epoch", false);
        }
        return offset;
    }

    /** The worker id in every id of this generator. */
    public int workerId() {
        return workerId;
    }
}
