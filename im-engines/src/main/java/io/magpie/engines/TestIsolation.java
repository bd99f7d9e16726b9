package io.magpie.engines;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names that keep one test (class) apart from the others sharing the same servers: its own
 * database, Redis key prefix and Kafka topic prefix, all carrying the same random token so the
 * pieces of one failing test can be found together.
 *
 * <p>Obtain one from {@link Infrastructure#isolate(String)} (which has already created the
 * database) or as a {@link InfrastructureExtension} parameter. Immutable and thread-safe. Nothing
 * is removed when the test ends: the embedded MariaDB drops leftover {@code t_*} databases at its
 * next start; Redis keys and topics die with the embedded servers.
 *
 * @param database database name, {@code t_<name>_<token>}, at most 64 characters
 * @param redisKeyPrefix prefix for every Redis key, {@code t<token>:}
 * @param topicPrefix prefix for every Kafka topic and consumer group, {@code t<token>.}
 * @param jdbcUrl {@code jdbc:mysql:} URL of {@link #database()} for mysql-connector-j
 */
public record TestIsolation(String database, String redisKeyPrefix, String topicPrefix,
        String jdbcUrl) {

    /** Database names the embedded MariaDB treats as leftovers of earlier runs. */
    public static final String DATABASE_PREFIX = "t_";

    private static final Pattern DATABASE = Pattern.compile("[a-z0-9_]{1,64}");

    public TestIsolation {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(redisKeyPrefix, "redisKeyPrefix");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!DATABASE.matcher(database).matches()) {
            throw new IllegalArgumentException("database '" + database
                    + "' must match " + DATABASE.pattern());
        }
    }
}
