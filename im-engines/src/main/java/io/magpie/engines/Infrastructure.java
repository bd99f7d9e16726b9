package io.magpie.engines;

import io.magpie.engines.internal.EmbeddedKafka;
import io.magpie.engines.internal.EmbeddedMariaDb;
import io.magpie.engines.internal.EmbeddedRedisServer;
import io.magpie.engines.internal.ExternalKafkaServer;
import io.magpie.engines.internal.ExternalMysqlServer;
import io.magpie.engines.internal.ExternalRedisServer;
import io.magpie.engines.internal.InstanceSlot;
import io.magpie.engines.internal.KafkaServer;
import io.magpie.engines.internal.LogQuieter;
import io.magpie.engines.internal.MysqlEndpoint;
import io.magpie.engines.internal.MysqlServer;
import io.magpie.engines.internal.RedisServer;
import io.magpie.engines.internal.RunningServer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real MySQL (MariaDB), Redis and Kafka for integration tests and local runs: each one external
 * when {@link InfrastructureConfig} names it, otherwise embedded (MariaDB and Redis as child
 * processes, Kafka in this JVM), all on loopback ports chosen at start.
 *
 * <p>Lifecycle: {@link #start} returns once all three answer requests (they start in parallel)
 * and the caller owns the instance; {@link #close} stops the embedded servers in reverse order
 * (Kafka, Redis, MariaDB), logging rather than throwing when one of them fails to stop. A JVM
 * shutdown hook closes it as well, so Ctrl-C does not leave {@code mariadbd} or
 * {@code redis-server} running (unless the owner {@link #detachShutdownHook took that over}); a
 * {@code kill -9}ed JVM's servers are killed by the next start
 * using the same {@link InfrastructureConfig#dataDir()}. Several instances may run at once (even
 * in one JVM): each embedded set takes its own locked slot directory.
 *
 * <p>Thread-safe. Tests normally get one shared instance per JVM from
 * {@link InfrastructureExtension} and keep apart through {@link #isolate(String)}.
 */
public final class Infrastructure implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Infrastructure.class);
    private static final int MAX_DATABASE_NAME = 64;
    private static final int TOKEN_LENGTH = 10;

    private final InfrastructureConfig config;
    private final InstanceSlot slot;
    private final Thread shutdownHook;
    private final Map<String, Boolean> createdDatabases = new ConcurrentHashMap<>();
    private final Map<String, Long> startMillis = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this
    private MysqlServer mysql; // guarded by this, set once
    private RedisServer redis; // guarded by this, set once
    private KafkaServer kafka; // guarded by this, set once

    private Infrastructure(InfrastructureConfig config, InstanceSlot slot) {
        this.config = config;
        this.slot = slot;
        this.shutdownHook = new Thread(this::closeOnShutdown, "magpie-infra-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts (or connects to) the three servers.
     *
     * @throws InfrastructureException when one of them cannot be started or reached; whatever
     *     did start is stopped again before this returns
     */
    public static Infrastructure start(InfrastructureConfig config) {
        Objects.requireNonNull(config, "config");
        long t0 = System.nanoTime();
        if (config.quiet()) {
            LogQuieter.quiet();
        }
        InstanceSlot slot;
        try {
            slot = config.needsDataDir()
                    ? InstanceSlot.acquire(config.dataDir().resolve("instances")) : null;
        } catch (RuntimeException e) {
            throw new InfrastructureException("cannot prepare " + config.dataDir() + ": "
                    + e.getMessage(), e);
        }
        Infrastructure infrastructure = new Infrastructure(config, slot);
        try {
            infrastructure.startServers();
        } catch (RuntimeException | Error e) {
            infrastructure.close();
            throw e;
        }
        log.info("started in {} ms (mysql {} ms, redis {} ms, kafka {} ms): {}",
                (System.nanoTime() - t0) / 1_000_000, infrastructure.startMillis.get("mysql"),
                infrastructure.startMillis.get("redis"), infrastructure.startMillis.get("kafka"),
                infrastructure.describe());
        return infrastructure;
    }

    private void startServers() {
        ExecutorService starter = Executors.newFixedThreadPool(3, r -> new Thread(r,
                "magpie-infra-start"));
        try {
            List<CompletableFuture<?>> starts = List.of(
                    CompletableFuture.supplyAsync(this::startMysql, starter),
                    CompletableFuture.supplyAsync(this::startRedis, starter),
                    CompletableFuture.supplyAsync(this::startKafka, starter));
            List<Throwable> failures = new ArrayList<>();
            for (CompletableFuture<?> start : starts) {
                try {
                    start.join();
                } catch (CompletionException e) {
                    failures.add(e.getCause() == null ? e : e.getCause());
                }
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                InfrastructureException failure = new InfrastructureException(
                        "infrastructure did not start: " + first.getMessage(), first);
                failures.subList(1, failures.size()).forEach(failure::addSuppressed);
                throw failure;
            }
        } finally {
            starter.shutdown();
        }
    }

    private MysqlServer startMysql() {
        long t0 = System.nanoTime();
        MysqlServer server = config.externalMysql()
                .map(m -> (MysqlServer) ExternalMysqlServer.connect(new MysqlEndpoint(
                        m.host(), m.port(), m.user(), m.password(), m.parameters())))
                .orElseGet(() -> EmbeddedMariaDb.start(config.dataDir(), slot.dir(),
                        config.mysqlFlushLogAtTrxCommit()));
        startMillis.put("mysql", (System.nanoTime() - t0) / 1_000_000);
        synchronized (this) {
            mysql = adopt(server);
        }
        return server;
    }

    private RedisServer startRedis() {
        long t0 = System.nanoTime();
        RedisServer server = config.externalRedisUri()
                .map(uri -> (RedisServer) ExternalRedisServer.connect(uri))
                .orElseGet(() -> EmbeddedRedisServer.start(config.dataDir(), slot.dir()));
        startMillis.put("redis", (System.nanoTime() - t0) / 1_000_000);
        synchronized (this) {
            redis = adopt(server);
        }
        return server;
    }

    private KafkaServer startKafka() {
        long t0 = System.nanoTime();
        KafkaServer server = config.externalKafkaBootstrap()
                .map(bootstrap -> (KafkaServer) ExternalKafkaServer.connect(bootstrap))
                .orElseGet(() -> EmbeddedKafka.start(slot.dir(), config.kafkaPartitions()));
        startMillis.put("kafka", (System.nanoTime() - t0) / 1_000_000);
        synchronized (this) {
            kafka = adopt(server);
        }
        return server;
    }

    /** A server that finishes starting after close() (Ctrl-C during start) is stopped at once. */
    private <T extends RunningServer> T adopt(T server) {
        if (closed) {
            server.close();
            throw new IllegalStateException("infrastructure was closed while starting");
        }
        return server;
    }

    /**
     * A {@code jdbc:mysql:} URL of {@code database} for mysql-connector-j, creating the database
     * ({@code utf8mb4}) if it does not exist. Embedded:
     * {@code jdbc:mysql://127.0.0.1:PORT/DB?sslMode=DISABLED&rewriteBatchedStatements=true&allowPublicKeyRetrieval=true}.
     *
     * @param database a plain identifier, {@code [A-Za-z0-9_]{1,64}}
     * @throws IllegalArgumentException for any other name
     * @throws InfrastructureException when the database cannot be created
     */
    public String jdbcUrl(String database) {
        MysqlEndpoint.checkDatabaseName(database);
        MysqlEndpoint endpoint = mysql().endpoint();
        createdDatabases.computeIfAbsent(database, name -> {
            try {
                endpoint.createDatabase(name);
                return Boolean.TRUE;
            } catch (SQLException e) {
                throw new InfrastructureException("CREATE DATABASE `" + name + "` on "
                        + endpoint.host() + ":" + endpoint.port() + " failed: " + e.getMessage(),
                        e);
            }
        });
        return endpoint.url(database);
    }

    /**
     * Fresh names for one test (class): a new database {@code t_<name>_<token>} (created), Redis
     * key prefix {@code t<token>:} and Kafka topic prefix {@code t<token>.}.
     *
     * @param name readable part of the database name, e.g. the test class's simple name; reduced
     *     to lowercase {@code [a-z0-9_]} and shortened to fit 64 characters
     */
    public TestIsolation isolate(String name) {
        String token = token();
        String database = isolationDatabase(Objects.requireNonNull(name, "name"), token);
        return new TestIsolation(database, "t" + token + ":", "t" + token + ".",
                jdbcUrl(database));
    }

    /** {@code t_<readable name>_<token>}, cut to fit MySQL's 64-character limit. */
    static String isolationDatabase(String name, String token) {
        String readable = name.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        int room = MAX_DATABASE_NAME - TestIsolation.DATABASE_PREFIX.length() - 1 - token.length();
        if (readable.length() > room) {
            readable = readable.substring(0, room).replaceAll("_+$", "");
        }
        return TestIsolation.DATABASE_PREFIX + (readable.isEmpty() ? "" : readable + "_") + token;
    }

    /** User for {@link #jdbcUrl(String)} ({@code root} on the embedded MariaDB). */
    public String mysqlUser() {
        return mysql().endpoint().user();
    }

    /** Password for {@link #jdbcUrl(String)} (empty on the embedded MariaDB). */
    public String mysqlPassword() {
        return mysql().endpoint().password();
    }

    /**
     * True when MySQL is the embedded MariaDB, which {@link #stopMysqlInPlace()},
     * {@link #startMysqlInPlace()} and {@link #restartMysql(Duration)} can stop and start; false for
     * an external server ({@code MAGPIE_MYSQL_URL}), which tests must not stop.
     */
    public boolean mysqlRestartable() {
        return mysql().restartable();
    }

    /**
     * For fault tests: stops the embedded MariaDB (gracefully, waiting for it to exit) keeping its
     * port and data, so {@link #jdbcUrl(String)} URLs stay valid and work again after
     * {@link #startMysqlInPlace()}. Every test sharing this instance loses MySQL meanwhile: use it
     * only from tests that run alone (failsafe runs the classes of a JVM one after the other).
     * Idempotent.
     *
     * @throws UnsupportedOperationException when MySQL is external (see {@link #mysqlRestartable()})
     * @throws IllegalStateException when the server cannot be stopped
     */
    public void stopMysqlInPlace() {
        mysql().stopInPlace();
    }

    /**
     * Starts MariaDB stopped by {@link #stopMysqlInPlace()} again on the same port and data,
     * returning once it answers queries. Does nothing when it is running.
     *
     * @throws UnsupportedOperationException when MySQL is external
     * @throws IllegalStateException when the server does not come back
     */
    public void startMysqlInPlace() {
        mysql().startInPlace();
    }

    /**
     * {@link #stopMysqlInPlace()}, wait {@code down}, {@link #startMysqlInPlace()}: MySQL is
     * unreachable for at least {@code down} (plus the few seconds a stop and a start take). Blocks
     * the calling thread; if the wait is interrupted the server is still started again.
     *
     * @throws UnsupportedOperationException when MySQL is external
     */
    public void restartMysql(Duration down) {
        Objects.requireNonNull(down, "down");
        stopMysqlInPlace();
        try {
            Thread.sleep(down.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            startMysqlInPlace();
        }
    }

    /**
     * For fault tests that signal the server (e.g. SIGSTOP/SIGCONT, a hung rather than a stopped
     * MySQL): the pid of the embedded {@code mariadbd}; empty when MySQL is external or stopped in
     * place.
     */
    public OptionalLong mysqlPid() {
        return mysql().pid();
    }

    /**
     * True when Kafka is the embedded broker, which {@link #stopKafkaInPlace()},
     * {@link #startKafkaInPlace()} and {@link #restartKafka(Duration)} can stop and start; false for
     * an external cluster ({@code MAGPIE_KAFKA_BOOTSTRAP}), which tests must not stop.
     */
    public boolean kafkaRestartable() {
        return kafka().restartable();
    }

    /**
     * For fault tests: shuts the embedded Kafka broker down cleanly, keeping its ports and log
     * directory, so {@link #kafkaBootstrap()} stays valid and topics, records and committed offsets are
     * there again after {@link #startKafkaInPlace()}. Every test sharing this instance loses Kafka
     * meanwhile (see {@link #stopMysqlInPlace()}). Idempotent.
     *
     * @throws UnsupportedOperationException when Kafka is external (see {@link #kafkaRestartable()})
     */
    public void stopKafkaInPlace() {
        kafka().stopInPlace();
    }

    /**
     * Starts the broker stopped by {@link #stopKafkaInPlace()} again on the same ports and log
     * directory, returning once it answers requests. Does nothing when it is running.
     *
     * @throws UnsupportedOperationException when Kafka is external
     * @throws IllegalStateException when the broker does not come back
     */
    public void startKafkaInPlace() {
        kafka().startInPlace();
    }

    /**
     * {@link #stopKafkaInPlace()}, wait {@code down}, {@link #startKafkaInPlace()}. Blocks the calling
     * thread; if the wait is interrupted the broker is still started again.
     *
     * @throws UnsupportedOperationException when Kafka is external
     */
    public void restartKafka(Duration down) {
        Objects.requireNonNull(down, "down");
        stopKafkaInPlace();
        try {
            Thread.sleep(down.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            startKafkaInPlace();
        }
    }

    /** {@code redis://127.0.0.1:PORT} (or the external URI as configured). */
    public String redisUri() {
        return redis().uri();
    }

    /** Kafka {@code bootstrap.servers}, {@code 127.0.0.1:PORT} when embedded. */
    public String kafkaBootstrap() {
        return kafka().bootstrap();
    }

    /** The configuration this instance was started with. */
    public InfrastructureConfig config() {
        return config;
    }

    /**
     * One line for logs: each server's kind, version, address and whether it is embedded or
     * external, plus the slot directory of the embedded ones. Never contains passwords.
     */
    public String describe() {
        StringBuilder line = new StringBuilder();
        synchronized (this) {
            for (RunningServer server : new RunningServer[] {mysql, redis, kafka}) {
                if (server != null) {
                    line.append(line.length() == 0 ? "" : " | ").append(server.describe());
                }
            }
        }
        if (slot != null) {
            line.append(" | data ").append(slot.dir());
        }
        return line.toString();
    }

    /**
     * Stops the embedded servers (Kafka, Redis, then MariaDB) and releases the slot. Idempotent;
     * a server that fails to stop is logged and the others still stop.
     */
    @Override
    public void close() {
        RunningServer[] toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new RunningServer[] {kafka, redis, mysql};
        }
        long t0 = System.nanoTime();
        for (RunningServer server : toStop) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (RuntimeException | Error e) {
                log.warn("stopping {} failed; continuing with the others", server.describe(), e);
            }
        }
        if (slot != null) {
            slot.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook running
        }
        log.info("stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Hands stopping on JVM shutdown to the caller: removes the shutdown hook that would otherwise
     * close the servers at the same time as the caller's own hooks stop what uses them. A process
     * that runs roles on this infrastructure calls this and closes it in its one ordered hook, after
     * the roles. The embedded children run in sessions of their own, so a terminal's Ctrl-C does not
     * stop them behind its back either.
     */
    public void detachShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and stops the servers
        }
    }

    private void closeOnShutdown() {
        close();
    }

    private synchronized MysqlServer mysql() {
        return started(mysql);
    }

    private synchronized RedisServer redis() {
        return started(redis);
    }

    private synchronized KafkaServer kafka() {
        return started(kafka);
    }

    private <T> T started(T server) {
        if (closed) {
            throw new IllegalStateException("infrastructure is closed");
        }
        return server;
    }

    private static String token() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder token = new StringBuilder(TOKEN_LENGTH);
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    @Override
    public String toString() {
        return "Infrastructure[" + describe() + "]";
    }
}
