package io.magpie.idgen;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WorkerIdLease} held in Redis: STRING {@code <prefix>idgen:worker:<n>} = a random owner
 * token, with PX = ttl. {@link #acquire} tries {@code SET NX PX} on ids 0..1023 starting at a random
 * one; the lease renews itself every ttl/3 with a compare-and-PEXPIRE script and is released with
 * a compare-and-DEL script, so a process never touches a key another process owns.
 *
 * <p>Redis is a cache (ARCHITECTURE §3): a renewal that finds the key gone (FLUSHALL, a Redis restart
 * without persistence) claims it again with the same token in the same atomic script, so the worker
 * id and every id issued under it stay the same and the process goes on assigning ids (logged at
 * WARN). Nobody else held the key at that instant, so no two live processes share the id.
 *
 * <p>{@link #valid()} is false for good once a renewal finds the key owned by someone else
 * (logged at ERROR) and after {@link #close()}. It is also false while ttl has passed since the
 * last successful renewal was sent (Redis unreachable: the key may have expired meanwhile), until
 * a renewal finds the key still ours.
 *
 * <p>Thread-safe. Renewals run on the given scheduler; the caller owns the scheduler.
 */
public final class RedisWorkerIdLease implements WorkerIdLease {

    /** Worker ids tried: 0..{@value #MAX_WORKER_ID}. */
    public static final int MAX_WORKER_ID = SnowflakeId.MAX_WORKER_ID;
    /** Shortest ttl accepted, so that renewing every ttl/3 stays sensible. */
    public static final Duration MIN_TTL = Duration.ofMillis(300);

    /** 1 = renewed, 2 = the key was gone and is ours again, 0 = another owner holds it. */
    static final String RENEW = """
            local owner = redis.call('GET', KEYS[1])
            if owner == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            if not owner then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 2
            end
            return 0""";

    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";

    private static final Logger log = LoggerFactory.getLogger(RedisWorkerIdLease.class);

    private final RedisCommands<String, String> redis;
    private final String key;
    private final String token;
    private final int workerId;
    private final long ttlMillis;
    private final Clock clock;
    private final Object lock = new Object();

    private volatile long validUntilMillis;
    private volatile boolean held = true;
    private boolean expiryLogged;
    private ScheduledFuture<?> renewal;

    private RedisWorkerIdLease(RedisCommands<String, String> redis, String key, String token, int workerId,
                               long ttlMillis, Clock clock, long validUntilMillis) {
        this.redis = redis;
        this.key = key;
        this.token = token;
        this.workerId = workerId;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
        this.validUntilMillis = validUntilMillis;
    }

    /**
     * Leases a free worker id.
     *
     * @param redis     synchronous commands of a shared connection
     * @param keyPrefix the deployment's Redis key prefix (e.g. {@code magpie:})
     * @param ttl       lease time to live, at least {@link #MIN_TTL}; a crashed holder's id is free
     *                  again after this
     * @param scheduler runs the renewals
     * @param clock     measures how long the lease stays valid without a renewal
     * @throws IdGenerationException (retryable) if all 1024 ids are leased
     */
    public static RedisWorkerIdLease acquire(RedisCommands<String, String> redis, String keyPrefix, Duration ttl,
                                             ScheduledExecutorService scheduler, Clock clock) {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(clock, "clock");
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw new IllegalArgumentException("worker id lease ttl must be at least " + MIN_TTL + ", got " + ttl);
        }
        long ttlMillis = ttl.toMillis();
        String token = UUID.randomUUID().toString();
        int start = ThreadLocalRandom.current().nextInt(MAX_WORKER_ID + 1);
        for (int i = 0; i <= MAX_WORKER_ID; i++) {
            int workerId = (start + i) % (MAX_WORKER_ID + 1);
            String key = keyPrefix + "idgen:worker:" + workerId;
            long sentAt = clock.millis();
            if ("OK".equals(redis.set(key, token, SetArgs.Builder.nx().px(ttlMillis)))) {
                RedisWorkerIdLease lease = new RedisWorkerIdLease(redis, key, token, workerId, ttlMillis, clock,
                        sentAt + ttlMillis);
                lease.schedule(scheduler);
                log.info("worker id {}: leased ({}, ttl {} ms)", workerId, key, ttlMillis);
                return lease;
            }
        }
        throw new IdGenerationException("no free snowflake worker id: all " + (MAX_WORKER_ID + 1) + " keys "
                + keyPrefix + "idgen:worker:0.." + MAX_WORKER_ID + " are leased; stop a process or wait for a"
                + " crashed one's lease to expire (" + ttlMillis + " ms)", true);
    }

    private void schedule(ScheduledExecutorService scheduler) {
        long period = Math.max(1, ttlMillis / 3);
        synchronized (lock) {
            renewal = scheduler.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** One renewal; never throws, since a throwing task would silently stop the schedule. */
    void renew() {
        if (!held) {
            return;
        }
        long sentAt = clock.millis();
        Long renewed;
        try {
            renewed = redis.eval(RENEW, ScriptOutputType.INTEGER, new String[] {key}, token, Long.toString(ttlMillis));
        } catch (RuntimeException e) {
            long left = validUntilMillis - clock.millis();
            if (left > 0) {
                log.warn("worker id {}: lease renewal failed, still valid for {} ms; retrying", workerId, left, e);
            } else {
                logExpiredOnce(e);
            }
            return;
        }
        if (renewed != null && (renewed == 1L || renewed == 2L)) {
            validUntilMillis = sentAt + ttlMillis;
            boolean reclaimed = renewed == 2L;
            if (reclaimed && !held) {
                // close() ran while the script was in flight: its delete may have come before our SET
                release();
                return;
            }
            if (reclaimed) {
                log.warn("worker id {}: {} was gone (Redis lost its data, or the lease expired unrenewed); claimed"
                        + " it again", workerId, key);
            }
            synchronized (lock) {
                if (expiryLogged) {
                    expiryLogged = false;
                    if (!reclaimed) {
                        log.info("worker id {}: lease renewed again; the key was still ours", workerId);
                    }
                }
            }
        } else {
            lost();
        }
    }

    private void logExpiredOnce(RuntimeException e) {
        synchronized (lock) {
            if (!expiryLogged) {
                expiryLogged = true;
                log.error("worker id {}: lease expired without renewal ({} unreachable?); ids from this worker"
                        + " are refused until the lease is renewed or replaced", workerId, key, e);
            }
        }
    }

    private void lost() {
        synchronized (lock) {
            if (!held) {
                return;
            }
            held = false;
            if (renewal != null) {
                renewal.cancel(false);
            }
        }
        log.error("worker id {}: lease lost: {} is owned by another process; ids from this worker are"
                + " refused from now on (restart the process to lease a new worker id)", workerId, key);
    }

    @Override
    public int workerId() {
        return workerId;
    }

    @Override
    public boolean valid() {
        return held && clock.millis() < validUntilMillis;
    }

    /** The Redis key of this lease. */
    public String key() {
        return key;
    }

    /** Stops renewing and deletes the key if this lease still owns it. */
    @Override
    public void close() {
        synchronized (lock) {
            if (!held) {
                return;
            }
            held = false;
            if (renewal != null) {
                renewal.cancel(false);
            }
        }
        release();
    }

    /** Deletes the key if this lease owns it; never throws. */
    private void release() {
        try {
            Long deleted = redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, token);
            log.info("worker id {}: lease {}", workerId, deleted != null && deleted == 1L
                    ? "released" : "was already gone at release");
        } catch (RuntimeException e) {
            log.warn("worker id {}: could not delete {} at release; it frees itself within {} ms", workerId, key,
                    ttlMillis, e);
        }
    }
}
