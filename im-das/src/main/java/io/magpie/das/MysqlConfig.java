package io.magpie.das;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach MySQL (or MariaDB). Validated once, at construction.
 *
 * @param jdbcUrl     {@code jdbc:mysql://host:port/database?...} (mysql-connector-j, shipped) or
 *                    {@code jdbc:mariadb:...} (needs the MariaDB driver on the class path)
 * @param user        login user; may be empty, never null
 * @param password    password; may be empty, never null
 * @param maxPoolSize connections in the pool, {@value #MIN_POOL_SIZE}..{@value #MAX_POOL_SIZE};
 *                    a value outside is clamped with a warning
 * @param connectTimeout how long opening a connection (TCP connect and handshake) or borrowing one
 *                       from the pool may take before it fails (default 5 s; 250 ms..5 min)
 * @param socketTimeout  how long any one statement may wait for the server's reply before the
 *                       connection is dropped as broken (default 30 s; 1 s..1 h): a half-open
 *                       socket or a frozen server fails the batch, which is retried, instead of
 *                       hanging a consumer for good. Also bounds every query
 */
public record MysqlConfig(String jdbcUrl, String user, String password, int maxPoolSize,
                          Duration connectTimeout, Duration socketTimeout) {

    public static final int MIN_POOL_SIZE = 1;
    public static final int MAX_POOL_SIZE = 200;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(MysqlConfig.class);

    public MysqlConfig {
        Objects.requireNonNull(jdbcUrl, "mysql.url");
        if (!jdbcUrl.startsWith("jdbc:mysql:") && !jdbcUrl.startsWith("jdbc:mariadb:")) {
            throw new IllegalArgumentException("mysql.url must start with jdbc:mysql: or jdbc:mariadb:, got '"
                    + jdbcUrl + "'");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        if (maxPoolSize < MIN_POOL_SIZE || maxPoolSize > MAX_POOL_SIZE) {
            int clamped = Math.max(MIN_POOL_SIZE, Math.min(MAX_POOL_SIZE, maxPoolSize));
            log.warn("mysql.pool-size {} is outside {}..{}; using {}", maxPoolSize, MIN_POOL_SIZE,
                    MAX_POOL_SIZE, clamped);
            maxPoolSize = clamped;
        }
        connectTimeout = clamp("mysql.connect-timeout", connectTimeout, DEFAULT_CONNECT_TIMEOUT,
                Duration.ofMillis(250), Duration.ofMinutes(5));
        socketTimeout = clamp("mysql.socket-timeout", socketTimeout, DEFAULT_SOCKET_TIMEOUT,
                Duration.ofSeconds(1), Duration.ofHours(1));
    }

    /** A config with the default timeouts. */
    public MysqlConfig(String jdbcUrl, String user, String password, int maxPoolSize) {
        this(jdbcUrl, user, password, maxPoolSize, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_TIMEOUT);
    }

    private static Duration clamp(String key, Duration value, Duration fallback, Duration min, Duration max) {
        if (value == null) {
            return fallback;
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            Duration clamped = value.compareTo(min) < 0 ? min : max;
            log.warn("{} {} is outside {}..{}; using {}", key, value, min, max, clamped);
            return clamped;
        }
        return value;
    }

    /** A config with {@value #DEFAULT_POOL_SIZE} pooled connections. */
    public static MysqlConfig of(String jdbcUrl, String user, String password) {
        return new MysqlConfig(jdbcUrl, user, password, DEFAULT_POOL_SIZE);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "MysqlConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=***, maxPoolSize="
                + maxPoolSize + ", connectTimeout=" + connectTimeout + ", socketTimeout=" + socketTimeout + "]";
    }
}
