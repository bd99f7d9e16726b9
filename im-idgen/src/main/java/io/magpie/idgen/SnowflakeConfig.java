package io.magpie.idgen;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of a {@link SnowflakeIdGenerator}. Validated once, at construction.
 *
 * @param epoch       zero of the 41-bit millisecond field (default 2025-01-01T00:00:00Z); ids run
 *                    for about 69 years after it. Never change it for a running deployment.
 * @param maxRollback a clock that goes back at most this far is waited out; further, ids are
 *                    refused (default 10 ms; clamped to 0..1 s with a warning, since the wait
 *                    holds the generator)
 */
public record SnowflakeConfig(Instant epoch, Duration maxRollback) {

    public static final Instant DEFAULT_EPOCH = Instant.parse("2025-01-01T00:00:00Z");
    public static final Duration DEFAULT_MAX_ROLLBACK = Duration.ofMillis(10);
    static final Duration MAX_MAX_ROLLBACK = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(SnowflakeConfig.class);

    public SnowflakeConfig {
        Objects.requireNonNull(epoch, "snowflake epoch");
        Objects.requireNonNull(maxRollback, "snowflake maxRollback");
        if (epoch.isBefore(Instant.EPOCH)) {
            throw new IllegalArgumentException("snowflake epoch must not be before 1970-01-01, got " + epoch);
        }
        if (maxRollback.isNegative() || maxRollback.compareTo(MAX_MAX_ROLLBACK) > 0) {
            Duration clamped = maxRollback.isNegative() ? Duration.ZERO : MAX_MAX_ROLLBACK;
            log.warn("snowflake maxRollback {} is outside 0..{}; using {}", maxRollback, MAX_MAX_ROLLBACK, clamped);
            maxRollback = clamped;
        }
    }

    public static SnowflakeConfig defaults() {
        return new SnowflakeConfig(DEFAULT_EPOCH, DEFAULT_MAX_ROLLBACK);
    }
}
