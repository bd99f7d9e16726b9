package io.magpie.das;

import io.magpie.registry.StorageException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL connection pool of one process. {@link #open(MysqlConfig)} starts a HikariCP pool and
 * brings the schema up to date with the Flyway migrations in {@code classpath:db/migration}
 * (the schema is never created by hand). A second, small pool whose sessions accept multi-statement
 * queries is opened on first use, for the single writer's session ({@link #writerDataSource()}).
 *
 * <p>Thread-safe. The caller that opened it owns it and closes it at shutdown; closing closes
 * every pooled connection.
 */
public final class Database implements AutoCloseable {

    /** Where the migrations live on the class path. */
    public static final String MIGRATIONS = "classpath:db/migration";

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** The writer's sessions: the one held, and one being replaced beside it. */
    private static final int WRITER_POOL_SIZE = 2;

    private final HikariDataSource dataSource;
    private final MysqlConfig config;
    private final MeterRegistry meters;
    private HikariDataSource writer; // guarded by this; opened on first use
    private boolean closed; // guarded by this

    private Database(HikariDataSource dataSource, MysqlConfig config, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.config = config;
        this.meters = meters;
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @throws StorageException if the database cannot be reached or a migration fails; the pool
     *                          is closed again in that case
     */
    public static Database open(MysqlConfig config) {
        return open(config, null);
    }

    /**
     * Opens the pool, whose meters ({@code hikaricp_*}, tag {@code pool=magpie-mysql}) go to {@code meters},
     * and migrates the schema.
     *
     * @param meters where the pool's meters go; null = none
     * @throws StorageException as {@link #open(MysqlConfig)}
     */
    public static Database open(MysqlConfig config, MeterRegistry meters) {
        HikariDataSource pool;
        try {
            HikariConfig hikari = hikariConfig(config);
            if (meters != null) {
                hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
            }
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StorageException("cannot open a MySQL pool for " + config.jdbcUrl() + ": "
                    + e.getMessage(), e, true);
        }
        try {
            migrate(pool, config);
            return new Database(pool, config, meters);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static HikariConfig hikariConfig(MysqlConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("magpie-mysql");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        // nothing waits forever: borrowing, connecting, and every reply of the server are bounded, so a
        // half-open socket or a frozen MySQL fails the batch (and it is retried) instead of hanging
        // the consumer thread while the health check still says UP
        long connectMillis = config.connectTimeout().toMillis();
        long socketMillis = config.socketTimeout().toMillis();
        hikari.setConnectionTimeout(connectMillis);
        hikari.setValidationTimeout(Math.max(250, connectMillis / 2));
        // mysql-connector-j and the MariaDB driver both name them so (milliseconds)
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(connectMillis));
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(socketMillis));
        if (config.jdbcUrl().startsWith("jdbc:mysql:")) {
            // mysql-connector-j: utf8mb4 on the wire, and cache the parse of the large multi-row
            // INSERT texts the repositories reuse per batch size
            hikari.addDataSourceProperty("characterEncoding", "UTF-8");
            hikari.addDataSourceProperty("cachePrepStmts", "true");
            hikari.addDataSourceProperty("prepStmtCacheSize", "512");
            hikari.addDataSourceProperty("prepStmtCacheSqlLimit", "1048576");
        }
        return hikari;
    }

    private static void migrate(DataSource dataSource, MysqlConfig config) {
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            log.info("mysql {}: schema at version {} ({} migration(s) applied)", config.jdbcUrl(),
                    result.targetSchemaVersion, result.migrationsExecuted);
        } catch (FlywayException e) {
            throw new StorageException("schema migration failed on " + config.jdbcUrl() + ": "
                    + e.getMessage() + "; the role cannot start until the schema is migrated", e, false);
        }
    }

    /** The pooled data source; connections must be closed (returned) by the caller. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Sessions for the single writer of a set of partitions ({@link MessageStore}'s held session): the main
     * pool's settings, plus {@code allowMultiQueries=true} so a transaction sends its statements in one round
     * trip ({@code StatementScript}); at most {@value #WRITER_POOL_SIZE}, meters tagged
     * {@code pool=magpie-mysql-writer}. Only SQL the repositories build, every value a bound parameter or a
     * hexadecimal literal ({@code SqlLiterals}), runs on them. Opened on the first call; closed with this
     * database.
     *
     * @throws StorageException if the pool cannot be opened
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized DataSource writerDataSource() {
        if (closed) {
            throw new IllegalStateException("the database is closed: no writer sessions");
        }
        if (writer == null) {
            try {
                HikariConfig hikari = hikariConfig(config);
                hikari.setPoolName("magpie-mysql-writer");
                hikari.setMaximumPoolSize(WRITER_POOL_SIZE);
                hikari.setMinimumIdle(0);
                hikari.addDataSourceProperty("allowMultiQueries", "true");
                // the session's state changes only through JDBC calls here: without it, mysql-connector-j asks the
                // server whether the session is read-only before every multi-statement, a round trip of its own
                hikari.addDataSourceProperty("useLocalSessionState", "true");
                if (meters != null) {
                    hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
                }
                writer = new HikariDataSource(hikari);
            } catch (RuntimeException e) {
                throw new StorageException("cannot open the writer's MySQL pool for " + config.jdbcUrl() + ": "
                        + e.getMessage(), e, true);
            }
        }
        return writer;
    }

    @Override
    public void close() {
        HikariDataSource openedWriter;
        synchronized (this) {
            closed = true;
            openedWriter = writer;
        }
        try {
            if (openedWriter != null) {
                openedWriter.close();
            }
        } finally {
            dataSource.close();
        }
    }
}
