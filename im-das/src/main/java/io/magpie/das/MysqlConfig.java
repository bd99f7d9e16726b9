package io.magpie.das;

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
 */
public record MysqlConfig(String jdbcUrl, String user, String password, int maxPoolSize) {

    public static final int MIN_POOL_SIZE = 1;
    public static final int MAX_POOL_SIZE = 200;
    public static final int DEFAULT_POOL_SIZE = 10;

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
    }

    /** A config with {@value #DEFAULT_POOL_SIZE} pooled connections. */
    public static MysqlConfig of(String jdbcUrl, String user, String password) {
        return new MysqlConfig(jdbcUrl, user, password, DEFAULT_POOL_SIZE);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "MysqlConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=***, maxPoolSize="
                + maxPoolSize + "]";
    }
}
