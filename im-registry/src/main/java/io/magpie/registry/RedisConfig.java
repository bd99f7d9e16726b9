package io.magpie.registry;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach Redis. Validated once, at construction.
 *
 * @param uri            {@code redis://[password@]host:port[/db]} or {@code rediss://...}
 * @param keyPrefix      prepended to every key Magpie writes (default {@value #DEFAULT_KEY_PREFIX});
 *                       lets several deployments or tests share one Redis
 * @param commandTimeout how long a command may wait for its reply before it fails
 *                       (default 2 s; clamped to 10 ms..60 s with a warning)
 */
public record RedisConfig(String uri, String keyPrefix, Duration commandTimeout) {

    public static final String DEFAULT_KEY_PREFIX = "magpie:";
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(RedisConfig.class);

    public RedisConfig {
        Objects.requireNonNull(uri, "redis.uri");
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new IllegalArgumentException("redis.uri must start with redis:// or rediss://, got '" + uri + "'");
        }
        keyPrefix = keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix;
        if (commandTimeout == null) {
            commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        } else if (commandTimeout.compareTo(MIN_TIMEOUT) < 0 || commandTimeout.compareTo(MAX_TIMEOUT) > 0) {
            Duration clamped = commandTimeout.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : MAX_TIMEOUT;
            log.warn("redis.command-timeout {} is outside {}..{}; using {}", commandTimeout, MIN_TIMEOUT,
                    MAX_TIMEOUT, clamped);
            commandTimeout = clamped;
        }
    }

    /** A config with the default command timeout. */
    public RedisConfig(String uri, String keyPrefix) {
        this(uri, keyPrefix, DEFAULT_COMMAND_TIMEOUT);
    }

    /** A config with the default key prefix and command timeout. */
    public static RedisConfig of(String uri) {
        return new RedisConfig(uri, DEFAULT_KEY_PREFIX, DEFAULT_COMMAND_TIMEOUT);
    }
}
