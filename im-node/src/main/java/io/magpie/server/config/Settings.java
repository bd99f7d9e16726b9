package io.magpie.server.config;

import io.magpie.das.MysqlConfig;
import io.magpie.registry.NacosConfig;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RegistryConfig;
import io.magpie.bus.Topics;
import io.magpie.gate.DevicePolicy;
import io.magpie.gate.GateTransport;
import io.magpie.gate.DrainSettings;
import io.magpie.server.admin.GateAdminConfig;
import io.magpie.gate.GateConfig;
import io.magpie.gate.GateLimits;
import io.magpie.http.CrossOrigin;
import io.magpie.logic.LogicConfig;
import io.magpie.logic.ContentLimits;
import io.magpie.logic.MediaConfig;
import io.magpie.logic.MediaUploadLimits;
import io.magpie.logic.MessageChangeSettings;
import io.magpie.logic.PresenceConfig;
import io.magpie.logic.SendRateLimits;
import io.magpie.logic.WordFilterConfig;
import io.magpie.hooks.AfterSendSettings;
import io.magpie.hooks.BeforeSendSettings;
import io.magpie.hooks.FailureMode;
import io.magpie.hooks.HookEvent;
import io.magpie.hooks.WebhookConfig;
import io.magpie.logic.SessionSettings;
import io.magpie.lsb.LsbConfig;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.tls.TlsConfig;
import io.magpie.router.RouterConfig;
import io.magpie.router.notify.ApnsConfig;
import io.magpie.router.notify.FcmConfig;
import io.magpie.router.notify.NotifierConfig;
import io.magpie.server.health.HealthConfig;
import io.magpie.protocol.auth.SampleSecrets;
import io.magpie.protocol.auth.TokenKeys;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.EnumSet;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a {@link ConfigTree} onto the typed config records of the modules. Every key an operator can
 * set is read here, once, with the module's own default; the sample files in {@code deploy/config}
 * list them. Module records validate their values and name the setting that is out of range.
 */
public final class Settings {

    /**
     * Default of {@code infra.mysql-flush-log-at-trx-commit}: the embedded MariaDB's own default
     * ({@code InfrastructureConfig.DEFAULT_MYSQL_FLUSH_LOG_AT_TRX_COMMIT}, which a test keeps equal), repeated
     * here because the roles' jar carries no engines.
     */
    public static final int DEFAULT_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT = 2;

    /** The keys under {@code hooks.after-send} and {@code hooks.apps.<app>.after-send}. */
    private static final List<String> AFTER_SEND_KEYS = List.of("url", "events", "timeout", "max-events",
            "retry-backoff-min", "retry-backoff-max");

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
        List<Runnable> everyRole = List.of(() -> infraDataDir(Path.of(".")), this::infraMysqlFlushLogAtTrxCommit, this::mysql, this::redis, this::registry,
                this::kafkaBootstrap, this::topics, this::partitions, this::tokenSecret, this::tls, this::gate,
                this::gateAdmin, this::lsb, this::logic, this::media, this::router, this::notifier, this::hooks, this::health,
                this::startupInfraWait);
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

    /**
     * {@code registry.*}: where the gates are registered, {@code redis} (default) or {@code nacos} with
     * {@code registry.nacos.*}. Every key is read whatever the type, so a typo is reported either way;
     * the password belongs in the environment ({@code MAGPIE_REGISTRY_NACOS_PASSWORD}).
     */
    public RegistryConfig registry() {
        String type = tree.string("registry.type", "redis");
        String serverAddr = tree.string("registry.nacos.server-addr", null);
        String namespace = tree.string("registry.nacos.namespace", NacosConfig.DEFAULT_NAMESPACE);
        String group = tree.string("registry.nacos.group", NacosConfig.DEFAULT_GROUP);
        String service = tree.string("registry.nacos.service", NacosConfig.DEFAULT_SERVICE);
        String username = tree.string("registry.nacos.username", null);
        String password = tree.string("registry.nacos.password", null);
        return guard("registry", () -> {
            RegistryConfig.Type chosen = RegistryConfig.Type.parse(type);
            if (chosen == RegistryConfig.Type.REDIS) {
                return RegistryConfig.REDIS_DEFAULT;
            }
            if (serverAddr == null || serverAddr.isBlank()) {
                throw new IllegalArgumentException("registry.type is nacos but registry.nacos.server-addr is not set;"
                        + " set it to the Nacos servers, host:port[,host:port] (e.g. 10.0.0.9:8848), or"
                        + " MAGPIE_REGISTRY_NACOS_SERVER_ADDR; or remove registry.type for the Redis registry");
            }
            return new RegistryConfig(chosen, new NacosConfig(serverAddr, namespace, group, service, username,
                    password));
        });
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

    /** The signing key's bytes (see {@link #tokenKeys()}); the single {@code auth.token-secret} when that is all. */
    public byte[] tokenSecret() {
        TokenKeyChoice choice = tokenKeyChoice();
        return choice.keys().get(choice.signing()).clone();
    }

    /**
     * The access-token keys: {@code auth.token-secret} (key id {@code default}) and/or
     * {@code auth.token-secrets} (entries {@code id:secret}; comma-separated in the environment), new
     * tokens signed with {@code auth.token-signing-key} (default: {@code default} when
     * {@code auth.token-secret} is set, else the first listed key). Each key is at least 32 bytes and none
     * may be a secret published in the repository's samples or a placeholder: anyone could sign a login
     * for any user with it ({@code magpie standalone} generates its own).
     */
    public TokenKeys tokenKeys() {
        TokenKeyChoice choice = tokenKeyChoice();
        return guard("auth", () -> new TokenKeys(choice.signing(), choice.keys()));
    }

    private record TokenKeyChoice(String signing, Map<String, byte[]> keys) {
    }

    private TokenKeyChoice tokenKeyChoice() {
        // read every key before validating, so rejectUnknownKeys() sees them all
        String single = tree.string("auth.token-secret", null);
        List<String> listed = tree.list("auth.token-secrets", List.of());
        String signing = tree.string("auth.token-signing-key", null);
        Map<String, byte[]> keys = new LinkedHashMap<>();
        if (single != null) {
            keys.put(TokenKeys.DEFAULT_KEY_ID, tokenKey("auth.token-secret", single));
        }
        for (String entry : listed) {
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon).strip();
            if (!TokenKeys.validKeyId(id)) {
                throw new ConfigException("auth.token-secrets entries must be 'id:secret' with an id of 1-32"
                        + " characters of [A-Za-z0-9_-], got an entry with id '" + id + "' in " + tree.source());
            }
            if (keys.containsKey(id)) {
                throw new ConfigException("token key id '" + id + "' is set twice (auth.token-secret is key id '"
                        + TokenKeys.DEFAULT_KEY_ID + "', auth.token-secrets lists the others) in " + tree.source());
            }
            keys.put(id, tokenKey("auth.token-secrets." + id, entry.substring(colon + 1).strip()));
        }
        if (keys.isEmpty()) {
            throw new ConfigException("auth.token-secret must be set to at least 32 bytes, shared by logic and"
                    + " every gate (got nothing); or list keys in auth.token-secrets");
        }
        String chosen = signing != null ? signing.strip()
                : single != null ? TokenKeys.DEFAULT_KEY_ID : keys.keySet().iterator().next();
        if (!keys.containsKey(chosen)) {
            throw new ConfigException("auth.token-signing-key '" + chosen + "' is not one of the token keys "
                    + keys.keySet() + " (auth.token-secret, auth.token-secrets) in " + tree.source());
        }
        return new TokenKeyChoice(chosen, keys);
    }

    private byte[] tokenKey(String key, String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < TokenKeys.MIN_KEY_BYTES) {
            throw new ConfigException(key + " must be set to at least 32 bytes, shared by logic and every gate (got "
                    + secret.length() + " characters)");
        }
        String why = SampleSecrets.whyRefused(secret);
        if (why != null) {
            throw new ConfigException(key + " in " + tree.source() + " is refused: " + why + "; anyone who has read"
                    + " it could sign a login for any user. Generate a key (e.g. openssl rand -base64 48) and set it"
                    + " through " + ConfigTree.envName(key.startsWith("auth.token-secrets.") ? "auth.token-secrets"
                    : key) + " rather than in a shared file");
        }
        return bytes;
    }

    /**
     * {@code cluster.secret}: the key of the router-gate handshake, required by the gate and router roles.
     * At least 32 bytes, and never the token secret (a role refuses to start when they are equal), so
     * whoever holds one of them cannot use it for the other.
     */
    public ClusterSecret clusterSecret() {
        String secret = tree.string("cluster.secret", null);
        if (secret == null) {
            throw new ConfigException("cluster.secret is not set in " + tree.source() + "; set it to a random value"
                    + " of at least 32 bytes, the same on every gate and router and different from"
                    + " auth.token-secret (or MAGPIE_CLUSTER_SECRET)");
        }
        String refused = SampleSecrets.whyRefused(secret);
        if (refused != null) {
            throw new ConfigException("cluster.secret in " + tree.source() + " is refused: " + refused
                    + "; anyone could open the gates' internal port with it. Generate one (openssl rand -base64 48)");
        }
        ClusterSecret cluster = guard("cluster", () -> ClusterSecret.of(secret));
        String token = tree.string("auth.token-secret", null);
        if (token != null && cluster.sameKeyAs(token.getBytes(StandardCharsets.UTF_8))) {
            throw new ConfigException("cluster.secret equals auth.token-secret in " + tree.source() + "; they must"
                    + " differ, so a leaked token key does not open the gates' internal port; set another"
                    + " cluster.secret on every gate and router");
        }
        return cluster;
    }

    /**
     * The gate's secret; every role reads gate settings (for the registry's lifetime), but only a gate
     * needs the secret: without one set, a random key that no router knows (the port accepts nobody).
     * MagpieNode requires {@link #clusterSecret()} before it starts a gate.
     */
    private ClusterSecret clusterSecretOrRandom() {
        return tree.string("cluster.secret", null) == null ? ClusterSecret.random() : clusterSecret();
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
                    // 0 = gate.max-connections, whatever that is set to
                    .capacity(tree.integer("gate.capacity", 0))
                    .zone(tree.string("gate.zone", d.zone()))
                    .pushAckTimeout(tree.duration("gate.push-ack-timeout", d.pushAckTimeout()))
                    .maxPushResends(tree.integer("gate.max-push-resends", d.maxPushResends()))
                    .maxUnackedPushes(tree.integer("gate.max-unacked-pushes", d.maxUnackedPushes()))
                    .routeRefresh(tree.duration("gate.route-refresh", d.routeRefresh()))
                    .limits(gateLimits(d.limits()))
                    .internalBind(tree.string("gate.internal-bind", d.internalBind()))
                    .internalMaxFrameBytes(tree.integer("gate.internal-max-frame-bytes", d.internalMaxFrameBytes()))
                    .internalHandshakeTimeout(tree.duration("gate.internal-handshake-timeout",
                            d.internalHandshakeTimeout()))
                    .internalIdleTimeout(tree.duration("gate.internal-idle-timeout", d.internalIdleTimeout()))
                    .clusterSecret(clusterSecretOrRandom())
                    .devicePolicy(devicePolicy(tree.string("gate.device-policy", null), d.devicePolicy()))
                    .transport(transport(tree.string("gate.transport", null), d.transport()))
                    .tls(tls());
            String id = tree.string("gate.id", null);
            if (id != null) {
                b.gateId(id);
            }
            return b.build();
        });
    }

    /** {@code gate.limits.*}: what one client connection may cost a gate (docs/operations.md, Security, Limits). */
    private GateLimits gateLimits(GateLimits d) {
        return d.toBuilder()
                .writeBufferLowBytes(tree.integer("gate.limits.write-buffer-low-bytes", d.writeBufferLowBytes()))
                .writeBufferHighBytes(tree.integer("gate.limits.write-buffer-high-bytes", d.writeBufferHighBytes()))
                .maxOutboundBytes(tree.integer("gate.limits.max-outbound-bytes", d.maxOutboundBytes()))
                .unwritableTimeout(tree.duration("gate.limits.unwritable-timeout", d.unwritableTimeout()))
                .maxUnackedBytes(tree.integer("gate.limits.max-unacked-bytes", d.maxUnackedBytes()))
                .maxInflightRequests(tree.integer("gate.limits.max-inflight-requests", d.maxInflightRequests()))
                .publishBufferBytes(tree.integer("gate.limits.publish-buffer-bytes", d.publishBufferBytes()))
                .frames(tree.integer("gate.limits.frames-per-second", d.framesPerSecond()),
                        tree.integer("gate.limits.frame-burst", d.frameBurst()))
                .sends(tree.integer("gate.limits.sends-per-second", d.sendsPerSecond()),
                        tree.integer("gate.limits.send-burst", d.sendBurst()))
                .syncs(tree.integer("gate.limits.syncs-per-second", d.syncsPerSecond()),
                        tree.integer("gate.limits.sync-burst", d.syncBurst()))
                .pulls(tree.integer("gate.limits.pulls-per-second", d.pullsPerSecond()),
                        tree.integer("gate.limits.pull-burst", d.pullBurst()))
                .maxRefusals(tree.integer("gate.limits.max-refusals", d.maxRefusals()))
                .refusalWindow(tree.duration("gate.limits.refusal-window", d.refusalWindow()))
                .maxUnauthenticatedPerAddress(tree.integer("gate.limits.max-unauthenticated-per-address",
                        d.maxUnauthenticatedPerAddress()))
                .typing(tree.integer("gate.limits.typing-per-second", d.typingPerSecond()),
                        tree.integer("gate.limits.typing-burst", d.typingBurst()))
                .build();
    }

    private static GateTransport transport(String value, GateTransport defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            return GateTransport.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
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

    /** {@code gate.admin-token} and {@code gate.drain.*}: who may drain the gate, and how it drains. */
    public GateAdminConfig gateAdmin() {
        DrainSettings d = DrainSettings.defaults();
        return guard("gate", () -> new GateAdminConfig(tree.string("gate.admin-token", null),
                new DrainSettings(tree.integer("gate.drain.reconnects-per-second", d.reconnectsPerSecond()),
                        tree.duration("gate.drain.deadline", d.deadline()),
                        tree.duration("gate.drain.lsb-grace", d.lsbGrace()))));
    }

    /** {@code http.cors-origins}: which web origins may call the account API and the LSB from a browser. */
    public CrossOrigin cors() {
        return guard("http", () -> new CrossOrigin(tree.list("http.cors-origins", CrossOrigin.ANY.origins())));
    }

    public LsbConfig lsb() {
        LsbConfig d = LsbConfig.defaults();
        return guard("lsb", () -> new LsbConfig(tree.integer("lsb.port", d.httpPort()),
                tree.duration("lsb.poll-interval", d.registryPollInterval()),
                tree.duration("lsb.assignment-window", d.assignmentWindow()),
                tree.duration("lsb.gate-report-max-age", d.gateReportMaxAge()), tls(),
                tree.string("lsb.host", d.host()), tree.string("lsb.admin-token", null), cors()));
    }

    public LogicConfig logic() {
        Topics topics = topics();
        // read every key before the secret check, so rejectUnknownKeys() sees them in every role
        String httpHost = tree.string("logic.http-host", LogicConfig.DEFAULT_HTTP_HOST);
        int httpPort = tree.integer("logic.http-port", LogicConfig.DEFAULT_HTTP_PORT);
        int maxPollRecords = tree.integer("logic.max-poll-records", LogicConfig.DEFAULT_MAX_POLL_RECORDS);
        Duration tokenTtl = tree.duration("auth.token-ttl", LogicConfig.DEFAULT_TOKEN_TTL);
        int iterations = tree.integer("logic.pbkdf2-iterations", LogicConfig.DEFAULT_PBKDF2_ITERATIONS);
        int maxGroupMembers = tree.integer("logic.max-group-members", LogicConfig.DEFAULT_MAX_GROUP_MEMBERS);
        int largeGroup = tree.integer("logic.large-group-threshold", LogicConfig.DEFAULT_LARGE_GROUP_THRESHOLD);
        Duration syncWindow = tree.duration("logic.sync-version-window", LogicConfig.DEFAULT_SYNC_VERSION_WINDOW);
        int queriesPerPoll = tree.integer("logic.queries-per-poll", LogicConfig.DEFAULT_QUERIES_PER_POLL);
        int queryBacklog = tree.integer("logic.query-backlog", LogicConfig.DEFAULT_QUERY_BACKLOG);
        Duration writeIdle = tree.duration("logic.write-idle-timeout", LogicConfig.DEFAULT_WRITE_IDLE_TIMEOUT);
        Duration recallWindow = tree.duration("logic.recall-window", LogicConfig.DEFAULT_RECALL_WINDOW);
        int broadcastRate = tree.integer("logic.admin-broadcast-rate", LogicConfig.DEFAULT_BROADCAST_RATE);
        PresenceConfig p = PresenceConfig.defaults();
        Duration offlineGrace = tree.duration("logic.presence.offline-grace", p.offlineGrace());
        Duration minInterval = tree.duration("logic.presence.min-interval", p.minInterval());
        int maxWatchList = tree.integer("logic.presence.max-watch-list", p.maxWatchList());
        int maxQueryUids = tree.integer("logic.presence.max-query-uids", p.maxQueryUids());
        Duration watchTtl = tree.duration("logic.presence.watch-ttl", p.watchTtl());
        int fanoutChunk = tree.integer("logic.presence.fanout-chunk", p.fanoutChunk());
        int typingMaxGroup = tree.integer("logic.typing-max-group-size", p.typingMaxGroupSize());
        TlsConfig tls = tls();
        Duration refreshTtl = tree.duration("auth.refresh-ttl", SessionSettings.DEFAULT_REFRESH_TTL);
        int perAccount = tree.integer("auth.login-attempts-per-account",
                SessionSettings.DEFAULT_LOGIN_ATTEMPTS_PER_ACCOUNT);
        int perAddress = tree.integer("auth.login-attempts-per-address",
                SessionSettings.DEFAULT_LOGIN_ATTEMPTS_PER_ADDRESS);
        int refreshes = tree.integer("auth.refreshes-per-address", SessionSettings.DEFAULT_REFRESHES_PER_ADDRESS);
        Duration attemptWindow = tree.duration("auth.login-attempt-window",
                SessionSettings.DEFAULT_LOGIN_ATTEMPT_WINDOW);
        String adminToken = tree.string("logic.admin-token", null);
        String webLsbUrl = tree.string("web.lsb-url", null);
        ContentLimits content = contentLimits();
        WordFilterConfig wordFilter = wordFilter();
        SendRateLimits rateLimits = guard("logic.rate-limits", () -> new SendRateLimits(
                tree.integer("logic.rate-limits.messages-per-second", SendRateLimits.DEFAULTS.perSecond()),
                tree.integer("logic.rate-limits.messages-per-minute", SendRateLimits.DEFAULTS.perMinute()),
                tree.integer("logic.rate-limits.mention-all-members-per-hour",
                        SendRateLimits.DEFAULTS.mentionAllMembersPerHour())));
        MessageChangeSettings messageChanges = guard("logic", () -> new MessageChangeSettings(
                tree.duration("logic.edit-window", MessageChangeSettings.DEFAULTS.editWindow()),
                tree.integer("logic.max-reaction-emoji", MessageChangeSettings.DEFAULTS.maxReactionEmoji())));
        CrossOrigin cors = cors();
        MediaConfig media = media();
        int uploadsPerMinute = tree.integer("media.uploads-per-minute", MediaUploadLimits.DEFAULTS.perMinute());
        long uploadBytesPerHour = tree.bytes("media.upload-bytes-per-hour", MediaUploadLimits.DEFAULTS.bytesPerHour());
        MediaUploadLimits mediaUploads = guard("media", () -> new MediaUploadLimits(uploadsPerMinute,
                uploadBytesPerHour));
        TokenKeys tokenKeys = tokenKeys();
        byte[] secret = tokenSecret();
        SessionSettings sessions = guard("auth", () -> SessionSettings.defaults().withTokenKeys(tokenKeys)
                .withRefreshTtl(refreshTtl).withLimits(perAccount, perAddress, refreshes, attemptWindow)
                .withAdminToken(adminToken));
        return guard("logic", () -> LogicConfig.builder(kafkaBootstrap(), secret)
                .sessions(sessions)
                .tls(tls)
                .topicPrefix(topics.prefix())
                .consumerGroup(topics.logicGroup())
                .httpHost(httpHost)
                .httpPort(httpPort)
                .cors(cors)
                .webLsbUrl(webLsbUrl)
                .media(media)
                .mediaUploads(mediaUploads)
                .maxPollRecords(maxPollRecords)
                .tokenTtl(tokenTtl)
                .pbkdf2Iterations(iterations)
                .maxGroupMembers(maxGroupMembers)
                .largeGroupThreshold(largeGroup)
                .syncVersionWindow(syncWindow)
                .queriesPerPoll(queriesPerPoll)
                .queryBacklog(queryBacklog)
                .writeIdleTimeout(writeIdle)
                .recallWindow(recallWindow)
                .presence(new PresenceConfig(offlineGrace, minInterval, maxWatchList, maxQueryUids, watchTtl,
                        fanoutChunk, typingMaxGroup))
                .content(content)
                .wordFilter(wordFilter)
                .rateLimits(rateLimits)
                .broadcastRate(broadcastRate)
                .messageChanges(messageChanges)
                .hooks(hooks())
                .build());
    }

    /** Limits of a SEND's content per message type ({@code logic.content.*}). */
    private ContentLimits contentLimits() {
        ContentLimits d = ContentLimits.defaults();
        String k = "logic.content.";
        int text = tree.integer(k + "max-text-chars", d.maxTextChars());
        int caption = tree.integer(k + "max-caption-chars", d.maxCaptionChars());
        int emoji = tree.integer(k + "max-emoji-chars", d.maxEmojiChars());
        int url = tree.integer(k + "max-url-chars", d.maxUrlChars());
        long image = tree.bytes(k + "max-image-bytes", d.maxImageBytes());
        long file = tree.bytes(k + "max-file-bytes", d.maxFileBytes());
        long audio = tree.bytes(k + "max-audio-bytes", d.maxAudioBytes());
        long video = tree.bytes(k + "max-video-bytes", d.maxVideoBytes());
        Duration duration = tree.duration(k + "max-duration", Duration.ofMillis(d.maxDurationMs()));
        int side = tree.integer(k + "max-image-side", d.maxImageSide());
        int custom = (int) Math.min(Integer.MAX_VALUE, tree.bytes(k + "max-custom-bytes", d.maxCustomBytes()));
        return guard("logic.content", () -> new ContentLimits(text, caption, emoji, url, image, file, audio, video,
                (int) Math.min(Integer.MAX_VALUE, duration.toMillis()), side, custom));
    }

    /**
     * The operator's webhooks ({@code hooks.*}; docs/operations.md, "Webhooks"): the default before-send and
     * after-send hooks, and overrides per app under {@code hooks.apps.<app id>.*} for the app ids listed in
     * {@code hooks.app-ids} (an app's unset keys take the default's values; {@code url: ""} turns the hook off for
     * that app). An app has an after-send endpoint of its own only when it sets at least one
     * {@code hooks.apps.<app>.after-send.*} key; otherwise its events go to the default's. Read by logic
     * (before-send) and the notifier (after-send).
     */
    public WebhookConfig hooks() {
        String secret = blankToNull(tree.string("hooks.secret", null));
        BeforeSendSettings defaults = beforeSend("hooks.", secret, BeforeSendSettings.DISABLED);
        AfterSendSettings afterDefaults = afterSend("hooks.", secret, AfterSendSettings.DISABLED);
        Map<String, BeforeSendSettings> byApp = new LinkedHashMap<>();
        Map<String, AfterSendSettings> afterByApp = new LinkedHashMap<>();
        for (String app : tree.list("hooks.app-ids", List.of())) {
            if (app.contains(".")) {
                // a dot would split the app's keys (hooks.apps.<app>.*) into nested sections
                throw new ConfigException("hooks.app-ids entry '" + app + "' contains '.', which a settings key cannot"
                        + " hold; hooks for that app cannot be set apart: it gets the defaults (remove it from the list)");
            }
            String prefix = "hooks.apps." + app + ".";
            String appSecret = blankToNull(tree.string(prefix + "secret", secret));
            byApp.put(app, beforeSend(prefix, appSecret, defaults));
            // only an app that sets after-send keys of its own gets an endpoint (and a consumer loop) of its own
            if (AFTER_SEND_KEYS.stream().anyMatch(key -> tree.has(prefix + "after-send." + key))) {
                afterByApp.put(app, afterSend(prefix, appSecret, afterDefaults));
            }
        }
        return guard("hooks", () -> new WebhookConfig(defaults, byApp, afterDefaults, afterByApp));
    }

    /** {@code <prefix>before-send.*}, each unset key taking its value from {@code d}. */
    private BeforeSendSettings beforeSend(String prefix, String secret, BeforeSendSettings d) {
        String k = prefix + "before-send.";
        String url = blankToNull(tree.string(k + "url", d.url() == null ? null : d.url().toString()));
        Duration timeout = tree.duration(k + "timeout", d.timeout());
        String onFailure = tree.string(k + "on-failure", d.onFailure().name()).trim().toUpperCase(Locale.ROOT);
        int maxMessages = tree.integer(k + "max-messages", d.maxMessages());
        return guard(k.substring(0, k.length() - 1), () -> new BeforeSendSettings(url == null ? null : URI.create(url),
                secret, timeout, switch (onFailure) {
                    case "OPEN" -> FailureMode.OPEN;
                    case "CLOSED" -> FailureMode.CLOSED;
                    default -> throw new IllegalArgumentException(k + "on-failure must be open or closed, got '"
                            + onFailure.toLowerCase(Locale.ROOT) + "'");
                }, maxMessages));
    }

    /** {@code <prefix>after-send.*}, each unset key taking its value from {@code d}. */
    private AfterSendSettings afterSend(String prefix, String secret, AfterSendSettings d) {
        String k = prefix + "after-send.";
        String url = blankToNull(tree.string(k + "url", d.url() == null ? null : d.url().toString()));
        List<String> events = tree.list(k + "events", d.events().stream().sorted()
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        Duration timeout = tree.duration(k + "timeout", d.timeout());
        int maxEvents = tree.integer(k + "max-events", d.maxEvents());
        Duration backoffMin = tree.duration(k + "retry-backoff-min", d.retryBackoffMin());
        Duration backoffMax = tree.duration(k + "retry-backoff-max", d.retryBackoffMax());
        return guard(k.substring(0, k.length() - 1), () -> {
            Set<HookEvent> kinds = EnumSet.noneOf(HookEvent.class);
            events.forEach(e -> kinds.add(HookEvent.parse(e)));
            return new AfterSendSettings(url == null ? null : URI.create(url), secret, kinds, timeout, maxEvents,
                    backoffMin, backoffMax);
        });
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The sensitive-word filter ({@code logic.word-filter.*}). */
    private WordFilterConfig wordFilter() {
        Path file = path(tree.string("logic.word-filter.file", null));
        String action = tree.string("logic.word-filter.action", "reject").trim().toLowerCase(Locale.ROOT);
        Duration reload = tree.duration("logic.word-filter.reload-interval",
                WordFilterConfig.DISABLED.reloadInterval());
        return guard("logic.word-filter", () -> new WordFilterConfig(file, switch (action) {
            case "reject" -> WordFilterConfig.Action.REJECT;
            case "mask" -> WordFilterConfig.Action.MASK;
            default -> throw new IllegalArgumentException("logic.word-filter.action must be reject or mask, got '"
                    + action + "'");
        }, reload));
    }

    /**
     * {@code media.*}: where uploaded media is stored ({@code media.store: local|s3}, {@code media.local.dir},
     * {@code media.s3.*}), what may be uploaded and how large, and the signed download URLs (docs/operations.md,
     * Media). The local directory defaults to {@code ./media} (standalone and cluster mode: {@code
     * <data-dir>/media}); the S3 secret key and the URL secret belong in the environment
     * ({@code MAGPIE_MEDIA_S3_SECRET_KEY}, {@code MAGPIE_MEDIA_URL_SECRET}).
     */
    public MediaConfig media() {
        // read every key whatever the store, so a typo is reported either way
        String store = tree.string("media.store", "local");
        Path localDir = path(tree.string("media.local.dir", "media"));
        String endpoint = tree.string("media.s3.endpoint", null);
        String region = tree.string("media.s3.region", null);
        String bucket = tree.string("media.s3.bucket", null);
        String accessKey = tree.string("media.s3.access-key", null);
        String secretKey = tree.string("media.s3.secret-key", null);
        String pathStyle = tree.string("media.s3.path-style", null);
        String keyPrefix = tree.string("media.s3.key-prefix", null);
        long image = tree.bytes("media.max-image-bytes", MediaConfig.DEFAULT_MAX_IMAGE_BYTES);
        long audio = tree.bytes("media.max-audio-bytes", MediaConfig.DEFAULT_MAX_AUDIO_BYTES);
        long video = tree.bytes("media.max-video-bytes", MediaConfig.DEFAULT_MAX_VIDEO_BYTES);
        long file = tree.bytes("media.max-file-bytes", MediaConfig.DEFAULT_MAX_FILE_BYTES);
        List<String> types = tree.list("media.allowed-types", MediaConfig.DEFAULT_ALLOWED_TYPES);
        long pixels = tree.integer("media.max-image-pixels", (int) MediaConfig.DEFAULT_MAX_IMAGE_PIXELS);
        int edge = tree.integer("media.thumbnail-edge", MediaConfig.DEFAULT_THUMBNAIL_EDGE);
        Duration urlTtl = tree.duration("media.url-ttl", MediaConfig.DEFAULT_URL_TTL);
        String urlSecret = tree.string("media.url-secret", null);
        if (urlSecret != null && SampleSecrets.whyRefused(urlSecret) != null) {
            throw new ConfigException("media.url-secret in " + tree.source() + " is refused: "
                    + SampleSecrets.whyRefused(urlSecret) + "; anyone who has read it could sign download URLs."
                    + " Generate one (openssl rand -base64 48) and set MAGPIE_MEDIA_URL_SECRET");
        }
        return guard("media", () -> {
            MediaConfig.Store chosen = MediaConfig.Store.parse(store);
            MediaConfig.S3 s3 = null;
            if (chosen == MediaConfig.Store.S3) {
                java.net.URI uri = endpoint == null || endpoint.isBlank() ? null : java.net.URI.create(endpoint.strip());
                boolean pathStyleOn = pathStyle == null ? uri != null : switch (pathStyle.strip().toLowerCase()) {
                    case "true", "yes", "on", "1" -> true;
                    case "false", "no", "off", "0" -> false;
                    default -> throw new IllegalArgumentException("media.s3.path-style must be true or false, got '"
                            + pathStyle + "'");
                };
                s3 = new MediaConfig.S3(uri, region, bucket, accessKey, secretKey, pathStyleOn, keyPrefix);
            }
            return new MediaConfig(chosen, localDir, s3, image, audio, video, file, types, pixels, edge, urlTtl,
                    urlSecret == null ? null : urlSecret.getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * TLS of the public listeners: the gate's client TCP and WebSocket ports, the account API and the
     * LSB ({@code tls.enabled}, {@code tls.cert-file}, {@code tls.key-file}; relative paths are resolved
     * against the working directory, {@code ~/} against the home directory).
     */
    public TlsConfig tls() {
        boolean enabled = tree.bool("tls.enabled", false);
        Path cert = path(tree.string("tls.cert-file", null));
        Path key = path(tree.string("tls.key-file", null));
        return guard("tls", () -> new TlsConfig(enabled, cert, key));
    }

    private static Path path(String configured) {
        if (configured == null || configured.isBlank()) {
            return null;
        }
        return Path.of(configured.startsWith("~/") ? System.getProperty("user.home") + configured.substring(1)
                : configured).toAbsolutePath();
    }

    /** Where standalone mode keeps the embedded servers' binaries and data. */
    public Path infraDataDir(Path defaultDir) {
        String configured = tree.string("infra.data-dir", defaultDir.toString());
        return Path.of(configured.startsWith("~/") ? System.getProperty("user.home") + configured.substring(1)
                : configured).toAbsolutePath();
    }

    /**
     * {@code innodb_flush_log_at_trx_commit} of the MariaDB that standalone and cluster mode embed
     * ({@code infra.mysql-flush-log-at-trx-commit}, 0..2, default 2; an external MySQL keeps its own).
     */
    public int infraMysqlFlushLogAtTrxCommit() {
        int value = tree.integer("infra.mysql-flush-log-at-trx-commit", DEFAULT_INFRA_MYSQL_FLUSH_LOG_AT_TRX_COMMIT);
        if (value < 0 || value > 2) {
            throw new ConfigException("infra.mysql-flush-log-at-trx-commit must be 0, 1 or 2, got " + value
                    + " (1 = fsync the redo log at every commit, 2 = write it at every commit and fsync once a"
                    + " second, 0 = both once a second)");
        }
        return value;
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
                    .maxAckTimeouts(tree.integer("router.max-ack-timeouts", d.maxAckTimeouts()))
                    .linkPingInterval(tree.duration("router.link-ping-interval", d.linkPingInterval()))
                    .clusterSecret(clusterSecret())
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
                    .badges(tree.bool("notifier.badge", d.badges()))
                    .mentionsPassMute(tree.bool("notifier.mentions-pass-mute", d.mentionsPassMute()))
                    .apns(apns())
                    .fcm(fcm())
                    .build();
        });
    }

    /** {@code notifier.apns.*}: the {@code apns} notifier, enabled by {@code notifier.apns.signing-key-file}. */
    private ApnsConfig apns() {
        Path keyFile = path(tree.string("notifier.apns.signing-key-file", null));
        if (keyFile == null) {
            return null;
        }
        return ApnsConfig.builder()
                .signingKeyFile(keyFile)
                .teamId(tree.string("notifier.apns.team-id", null))
                .keyId(tree.string("notifier.apns.key-id", null))
                .topic(tree.string("notifier.apns.topic", null))
                .environment(ApnsConfig.Environment.parse(tree.string("notifier.apns.environment", "production")))
                .host(tree.string("notifier.apns.host", null))
                .port(tree.integer("notifier.apns.port", ApnsConfig.DEFAULT_PORT))
                .trustedCertificateFile(path(tree.string("notifier.apns.trusted-certificate-file", null)))
                .expiration(tree.duration("notifier.apns.expiration", ApnsConfig.DEFAULT_EXPIRATION))
                .alertTitle(tree.string("notifier.apns.alert-title", null))
                .concurrentConnections(tree.integer("notifier.apns.concurrent-connections", 1))
                .build();
    }

    /** {@code notifier.fcm.*}: the {@code fcm} notifier, enabled by {@code notifier.fcm.service-account-file}. */
    private FcmConfig fcm() {
        Path keyFile = path(tree.string("notifier.fcm.service-account-file", null));
        if (keyFile == null) {
            return null;
        }
        return FcmConfig.builder()
                .serviceAccountFile(keyFile)
                .projectId(tree.string("notifier.fcm.project-id", null))
                .baseUrl(tree.string("notifier.fcm.base-url", FcmConfig.DEFAULT_BASE_URL.toString()))
                .tokenUrl(tree.string("notifier.fcm.token-url", null))
                .ttl(tree.duration("notifier.fcm.ttl", FcmConfig.DEFAULT_TTL))
                .title(tree.string("notifier.fcm.title", null))
                .build();
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
