package io.magpie.server.config;

import io.magpie.das.MysqlConfig;
import io.magpie.das.RedisConfig;
import io.magpie.das.Topics;
import io.magpie.gate.DevicePolicy;
import io.magpie.gate.GateConfig;
import io.magpie.logic.LogicConfig;
import io.magpie.lsb.LsbConfig;
import io.magpie.router.RouterConfig;
import io.magpie.router.notify.NotifierConfig;
import io.magpie.server.health.HealthConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Maps a {@link ConfigTree} onto the typed config records of the modules. Every key an operator can
 * set is read here, once, with the module's own default; the sample files in {@code deploy/config}
 * list them. Module records validate their values and name the setting that is out of range.
 */
public final class Settings {

    private final ConfigTree tree;

    public Settings(ConfigTree tree) {
        this.tree = tree;
    }

    public ConfigTree tree() {
        return tree;
    }

    /**
     * Fails on a key that no role reads. A key another role reads is fine: operators often share one
     * file (or one set of shared sections) between all roles.
     */
    public void rejectUnknownKeys() {
        List<Runnable> everyRole = List.of(() -> infraDataDir(Path.of(".")), this::mysql, this::redis, this::kafkaBootstrap, this::topics,
                this::partitions, this::tokenSecret, this::gate, this::lsb, this::logic, this::router, this::notifier,
                this::health, this::startupInfraWait);
        for (Runnable mapping : everyRole) {
            try {
                mapping.run();
            } catch (RuntimeException notThisRolesSetting) {
                // Only the keys a mapping reads matter here; a section this role does not use may
                // be incomplete, and the roles that do use it validate it when they start.
            }
        }
        tree.rejectUnknownKeys();
    }

    public MysqlConfig mysql() {
        String url = tree.string("mysql.url", null);
        if (url == null) {
            throw new ConfigException("mysql.url is not set in " + tree.source()
                    + "; set it to jdbc:mysql://host:port/database (or MAGPIE_MYSQL_URL)");
        }
        return guard("mysql", () -> new MysqlConfig(url, tree.string("mysql.user", "root"),
                tree.string("mysql.password", ""), tree.integer("mysql.pool-size", 16),
                tree.duration("mysql.connect-timeout", MysqlConfig.DEFAULT_CONNECT_TIMEOUT),
                tree.duration("mysql.socket-timeout", MysqlConfig.DEFAULT_SOCKET_TIMEOUT)));
    }

    public RedisConfig redis() {
        return guard("redis", () -> new RedisConfig(tree.string("redis.uri", "redis://127.0.0.1:6379"),
                tree.string("redis.key-prefix", RedisConfig.DEFAULT_KEY_PREFIX),
                tree.duration("redis.command-timeout", RedisConfig.DEFAULT_COMMAND_TIMEOUT)));
    }

    public String kafkaBootstrap() {
        return tree.string("kafka.bootstrap", "127.0.0.1:9092");
    }

    public Topics topics() {
        return guard("kafka.topic-prefix", () -> new Topics(tree.string("kafka.topic-prefix", Topics.DEFAULT_PREFIX)));
    }

    public int partitions() {
        int p = tree.integer("kafka.partitions", 16);
        if (p < 1 || p > 1024) {
            throw new ConfigException("kafka.partitions must be 1..1024, got " + p);
        }
        return p;
    }

    public byte[] tokenSecret() {
        String secret = tree.string("auth.token-secret", null);
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("auth.token-secret must be set to at least 32 bytes, shared by logic and"
                    + " every gate (got " + (secret == null ? "nothing" : secret.length() + " characters") + ")");
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    public GateConfig gate() {
        GateConfig d = GateConfig.defaults();
        return guard("gate", () -> {
            GateConfig.Builder b = d.toBuilder()
                    .advertisedHost(tree.string("gate.host", d.advertisedHost()))
                    .bindAddress(tree.string("gate.bind", d.bindAddress()))
                    .tcpPort(tree.integer("gate.tcp-port", d.tcpPort()))
                    .wsPort(tree.integer("gate.ws-port", d.wsPort()))
                    .wsPath(tree.string("gate.ws-path", d.wsPath()))
                    .internalPort(tree.integer("gate.internal-port", d.internalPort()))
                    .maxFrameBytes(tree.integer("gate.max-frame-bytes", d.maxFrameBytes()))
                    .loginTimeout(tree.duration("gate.login-timeout", d.loginTimeout()))
                    .heartbeatInterval(tree.duration("gate.heartbeat", d.heartbeatInterval()))
                    .maxMissedHeartbeats(tree.integer("gate.max-missed-heartbeats", d.maxMissedHeartbeats()))
                    .registryRefresh(tree.duration("gate.registry-refresh", d.registryRefresh()))
                    .workerThreads(tree.integer("gate.worker-threads", d.workerThreads()))
                    .maxConnections(tree.integer("gate.max-connections", d.maxConnections()))
                    .appIds(new LinkedHashSet<>(tree.list("gate.app-ids", List.copyOf(d.appIds()))))
                    .grayTag(tree.string("gate.gray", d.grayTag()))
                    .pushAckTimeout(tree.duration("gate.push-ack-timeout", d.pushAckTimeout()))
                    .maxPushResends(tree.integer("gate.max-push-resends", d.maxPushResends()))
                    .maxUnackedPushes(tree.integer("gate.max-unacked-pushes", d.maxUnackedPushes()))
                    .routeRefresh(tree.duration("gate.route-refresh", d.routeRefresh()))
                    .devicePolicy(devicePolicy(tree.string("gate.device-policy", null), d.devicePolicy()));
            String id = tree.string("gate.id", null);
            if (id != null) {
                b.gateId(id);
            }
            return b.build();
        });
    }

    private static DevicePolicy devicePolicy(String value, DevicePolicy defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        return switch (value.trim()) {
            case "multi-device" -> DevicePolicy.MULTI_DEVICE;
            case "one-per-platform-class" -> DevicePolicy.ONE_PER_PLATFORM_CLASS;
            default -> throw new ConfigException("gate.device-policy must be multi-device or one-per-platform-class, got '"
                    + value + "'");
        };
    }

    public LsbConfig lsb() {
        LsbConfig d = LsbConfig.defaults();
        return guard("lsb", () -> new LsbConfig(tree.integer("lsb.port", d.httpPort()),
                tree.duration("lsb.poll-interval", d.registryPollInterval()),
                tree.duration("lsb.assignment-window", d.assignmentWindow()),
                tree.duration("lsb.gate-report-max-age", d.gateReportMaxAge())));
    }

    public LogicConfig logic() {
        Topics topics = topics();
        // read every key before the secret check, so rejectUnknownKeys() sees them in every role
        String httpHost = tree.string("logic.http-host", LogicConfig.DEFAULT_HTTP_HOST);
        int httpPort = tree.integer("logic.http-port", LogicConfig.DEFAULT_HTTP_PORT);
        int maxPollRecords = tree.integer("logic.max-poll-records", LogicConfig.DEFAULT_MAX_POLL_RECORDS);
        Duration tokenTtl = tree.duration("auth.token-ttl", LogicConfig.DEFAULT_TOKEN_TTL);
        int iterations = tree.integer("logic.pbkdf2-iterations", LogicConfig.DEFAULT_PBKDF2_ITERATIONS);
        int timelineSize = tree.integer("logic.timeline-cache-size", LogicConfig.DEFAULT_TIMELINE_CACHE_SIZE);
        int maxGroupMembers = tree.integer("logic.max-group-members", LogicConfig.DEFAULT_MAX_GROUP_MEMBERS);
        int largeGroup = tree.integer("logic.large-group-threshold", LogicConfig.DEFAULT_LARGE_GROUP_THRESHOLD);
        Duration syncWindow = tree.duration("logic.sync-version-window", LogicConfig.DEFAULT_SYNC_VERSION_WINDOW);
        int queriesPerPoll = tree.integer("logic.queries-per-poll", LogicConfig.DEFAULT_QUERIES_PER_POLL);
        int queryBacklog = tree.integer("logic.query-backlog", LogicConfig.DEFAULT_QUERY_BACKLOG);
        Duration writeIdle = tree.duration("logic.write-idle-timeout", LogicConfig.DEFAULT_WRITE_IDLE_TIMEOUT);
        byte[] secret = tokenSecret();
        return guard("logic", () -> LogicConfig.builder(kafkaBootstrap(), secret)
                .topicPrefix(topics.prefix())
                .consumerGroup(topics.logicGroup())
                .httpHost(httpHost)
                .httpPort(httpPort)
                .maxPollRecords(maxPollRecords)
                .tokenTtl(tokenTtl)
                .pbkdf2Iterations(iterations)
                .timelineCacheSize(timelineSize)
                .maxGroupMembers(maxGroupMembers)
                .largeGroupThreshold(largeGroup)
                .syncVersionWindow(syncWindow)
                .queriesPerPoll(queriesPerPoll)
                .queryBacklog(queryBacklog)
                .writeIdleTimeout(writeIdle)
                .build());
    }

    /** Where standalone mode keeps the embedded servers' binaries and data. */
    public Path infraDataDir(Path defaultDir) {
        String configured = tree.string("infra.data-dir", defaultDir.toString());
        return Path.of(configured.startsWith("~/") ? System.getProperty("user.home") + configured.substring(1)
                : configured).toAbsolutePath();
    }

    public RouterConfig router() {
        Topics topics = topics();
        return guard("router", () -> {
            RouterConfig d = RouterConfig.builder(kafkaBootstrap()).build();
            return RouterConfig.builder(kafkaBootstrap())
                    .topicPrefix(topics.prefix())
                    .consumerGroup(topics.routerGroup())
                    .maxPollRecords(tree.integer("router.max-poll-records", d.maxPollRecords()))
                    .pushTimeout(tree.duration("router.push-timeout", d.pushTimeout()))
                    .build();
        });
    }

    public NotifierConfig notifier() {
        Topics topics = topics();
        return guard("notifier", () -> {
            NotifierConfig d = NotifierConfig.builder(kafkaBootstrap()).build();
            return NotifierConfig.builder(kafkaBootstrap())
                    .topicPrefix(topics.prefix())
                    .consumerGroup(topics.prefix() + "notifier")
                    .maxPollRecords(tree.integer("notifier.max-poll-records", d.maxPollRecords()))
                    .sendTimeout(tree.duration("notifier.send-timeout", d.sendTimeout()))
                    .maxAttempts(tree.integer("notifier.max-attempts", d.maxAttempts()))
                    .retryBackoffMin(tree.duration("notifier.retry-backoff-min", d.retryBackoffMin()))
                    .retryBackoffMax(tree.duration("notifier.retry-backoff-max", d.retryBackoffMax()))
                    .webhookUrl(tree.string("notifier.webhook-url", null))
                    .webhookAuthorization(tree.string("notifier.webhook-authorization", null))
                    .build();
        });
    }

    /** {@code health.*}: the process's health listener (docs/operations.md, Health). */
    public HealthConfig health() {
        HealthConfig d = HealthConfig.defaults();
        boolean enabled = tree.bool("health.enabled", d.enabled());
        String bind = tree.string("health.bind", d.bind());
        int port = tree.integer("health.port", d.port());
        return guard("health", () -> new HealthConfig(enabled, bind, port));
    }

    /**
     * {@code startup.infra-wait}: how long a starting role waits for Redis, MySQL and Kafka to become
     * reachable before it gives up (default 2 min; 0 = try once).
     */
    public Duration startupInfraWait() {
        Duration wait = tree.duration("startup.infra-wait", Duration.ofMinutes(2));
        if (wait.isNegative() || wait.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException("startup.infra-wait must be 0s..1h, got " + wait);
        }
        return wait;
    }

    /** Module records throw IllegalArgumentException naming the field; say which section it came from. */
    private <T> T guard(String section, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException("invalid " + section + " settings in " + tree.source() + ": " + e.getMessage(), e);
        }
    }

}
