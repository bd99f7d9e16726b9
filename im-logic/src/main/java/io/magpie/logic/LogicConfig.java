package io.magpie.logic;

import io.magpie.hooks.WebhookConfig;
import io.magpie.http.CrossOrigin;
import io.magpie.protocol.tls.TlsConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the logic role, validated once at construction: a value out of range fails with a
 * message naming the setting and its bounds. Immutable; build one with {@link #builder(String, byte[])}.
 *
 * @param kafkaBootstrap     Kafka bootstrap servers, {@code host:port[,host:port]}; required
 * @param topicPrefix        prefix of the {@code upstream}/{@code push}/{@code offline} topics; default {@code magpie.}
 * @param consumerGroup      consumer group of the upstream consumer; default {@code <topicPrefix>logic}
 * @param maxPollRecords     most upstream records handled as one batch (one transaction); 1-10000, default 500
 * @param batchLinger        how long the push producer waits to fill a batch ({@code linger.ms}); 0-1 s, default 0:
 *                           a batch's push tasks are sent without a flush (the next batch is stored meanwhile),
 *                           so a linger would delay every batch's pushes by its full length
 * @param httpHost           address the account API binds; default {@code 0.0.0.0}
 * @param httpPort           account API port, 0 = an ephemeral port; default 8081
 * @param tokenSecret        HMAC key shared with every gate; at least 32 bytes
 * @param tokenTtl           lifetime of an access token; 1 min-365 days, default 15 min (a refresh renews it,
 *                           see {@link SessionSettings})
 * @param pbkdf2Iterations   PBKDF2-HMAC-SHA256 rounds for new password hashes; 1000-10,000,000,
 *                           default 210,000 (OWASP); tests lower it
 * @param accountCacheSize   positive "this uid exists" lookups kept in memory; 0-10,000,000, default 100,000
 * @param uidSegmentStep     uids reserved from MySQL per round trip; 1-1,000,000, default 100
 * @param workerLeaseTtl     TTL of the Redis lease on the snowflake worker id; 3 s-10 min, default 30 s
 * @param retryBackoffMin    first wait before a failed batch is retried; 1 ms-1 min, default 100 ms
 * @param retryBackoffMax    longest wait between retries of a failed batch; >= retryBackoffMin, at most 10 min, default 10 s
 * @param pushAckTimeout     how long a batch waits for Kafka to acknowledge its push tasks; 1 s-10 min, default 30 s
 * @param maxGroupMembers    most members a group may have; 2-50,000 (one push task names every member, so it
 *                           must fit a Kafka record), default 2000
 * @param largeGroupThreshold groups with more members than this are stored by read diffusion (no
 *                           conversation row per member and message; SYNC reads the group's last seq);
 *                           0-50,000, 0 = every group, default 200
 * @param groupIdSegmentStep group ids reserved from MySQL per round trip; 1-1,000,000, default 100
 * @param syncVersionWindow  how far behind "now" a SYNC answer's version cursor is held, so a row committed
 *                           late with an older version (a slow transaction, another instance's clock) is
 *                           still returned by the next SYNC; must exceed the longest write; 0-10 min,
 *                           default 30 s
 * @param queriesPerPoll     most SYNC/PULL requests answered after each SEND batch, so reads never starve
 *                           writes; 1-10,000, default 200
 * @param queryBacklog       most SYNC/PULL requests waiting for their turn; past it a request is answered
 *                           SERVER_BUSY (retryable); 1-1,000,000, default 10,000
 * @param tls                HTTPS instead of HTTP on the account API ({@code tls.*}, shared with the gate and
 *                           the LSB); default {@link TlsConfig#DISABLED}
 * @param writeIdleTimeout   longest a write transaction's MySQL session may sit idle before the server closes
 *                           it and rolls the transaction back, so a frozen stale owner cannot hold the new
 *                           owner's fence claim and row locks longer; whole seconds, 1 s-5 min, default 5 s
 * @param sessions           refresh tokens, token keys (rotation), login attempt limits, admin token; default
 *                           {@link SessionSettings#defaults()} with {@code tokenSecret} as the one key
 * @param recallWindow       how long after sending a sender may RECALL their message (group owners and admins
 *                           may recall any message of their group at any time); 0-7 days, default 2 min
 * @param presence           presence and typing ({@code logic.presence.*}, {@code logic.typing-max-group-size});
 *                           default {@link PresenceConfig#defaults()}
 * @param cors               which web origins may call the account API from a browser ({@code http.cors-origins});
 *                           default {@link CrossOrigin#ANY}
 * @param webLsbUrl          the LSB's address as a browser reaches it ({@code web.lsb-url}, e.g.
 *                           {@code http://127.0.0.1:8080}): the web chat page, served at {@code /chat/} when the
 *                           jar carries it, is told to ask this LSB for a gate; null (the default) = the page is
 *                           not served
 * @param content            limits of a SEND's content per message type ({@code logic.content.*}); default
 *                           {@link ContentLimits#defaults()}
 * @param wordFilter         the sensitive-word filter ({@code logic.word-filter.*}); default off
 * @param rateLimits         messages per user across the cluster ({@code logic.rate-limits.*}); default
 *                           {@link SendRateLimits#DEFAULTS}
 * @param broadcastRate      how many online users per second an operator's broadcast reaches
 *                           ({@code logic.admin-broadcast-rate}); 1-100,000, default 500
 * @param media              media uploads and downloads ({@code media.*}); default {@link MediaConfig#defaults()}
 * @param messageChanges     the edit window and the reaction bound ({@code logic.edit-window},
 *                           {@code logic.max-reaction-emoji}); default {@link MessageChangeSettings#DEFAULTS}
 * @param hooks              the operator's webhooks ({@code hooks.*}); logic calls the before-send ones; default none
 * @param mediaUploads       uploads per user across the cluster ({@code media.uploads-per-minute},
 *                           {@code media.upload-bytes-per-hour}); default {@link MediaUploadLimits#DEFAULTS}
 */
public record LogicConfig(
        String kafkaBootstrap,
        String topicPrefix,
        String consumerGroup,
        int maxPollRecords,
        Duration batchLinger,
        String httpHost,
        int httpPort,
        byte[] tokenSecret,
        Duration tokenTtl,
        int pbkdf2Iterations,
        int accountCacheSize,
        int uidSegmentStep,
        Duration workerLeaseTtl,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        Duration pushAckTimeout,
        int maxGroupMembers,
        int largeGroupThreshold,
        int groupIdSegmentStep,
        Duration syncVersionWindow,
        int queriesPerPoll,
        int queryBacklog,
        TlsConfig tls,
        Duration writeIdleTimeout,
        SessionSettings sessions,
        Duration recallWindow,
        PresenceConfig presence,
        CrossOrigin cors,
        String webLsbUrl,
        ContentLimits content,
        WordFilterConfig wordFilter,
        SendRateLimits rateLimits,
        int broadcastRate,
        MediaConfig media,
        MessageChangeSettings messageChanges,

        WebhookConfig hooks,
        MediaUploadLimits mediaUploads) {

    public static final String DEFAULT_TOPIC_PREFIX = "magpie.";
    public static final int DEFAULT_MAX_POLL_RECORDS = 500;
    public static final Duration DEFAULT_BATCH_LINGER = Duration.ZERO;
    public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(15);
    public static final int DEFAULT_PBKDF2_ITERATIONS = 210_000;
    public static final int DEFAULT_ACCOUNT_CACHE_SIZE = 100_000;
    public static final int DEFAULT_UID_SEGMENT_STEP = 100;
    public static final Duration DEFAULT_WORKER_LEASE_TTL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PUSH_ACK_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_GROUP_MEMBERS = 2000;
    public static final int DEFAULT_LARGE_GROUP_THRESHOLD = 200;
    public static final int DEFAULT_GROUP_ID_SEGMENT_STEP = 100;
    public static final Duration DEFAULT_SYNC_VERSION_WINDOW = Duration.ofSeconds(30);
    public static final int DEFAULT_QUERIES_PER_POLL = 200;
    public static final int DEFAULT_QUERY_BACKLOG = 10_000;
    public static final Duration DEFAULT_WRITE_IDLE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECALL_WINDOW = Duration.ofMinutes(2);
    public static final int DEFAULT_BROADCAST_RATE = 500;

    public LogicConfig {
        if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap is required (host:port of a Kafka broker)");
        }
        topicPrefix = Objects.requireNonNullElse(topicPrefix, DEFAULT_TOPIC_PREFIX);
        if (consumerGroup == null || consumerGroup.isBlank()) {
            consumerGroup = topicPrefix + "logic";
        }
        content = Objects.requireNonNullElse(content, ContentLimits.defaults());
        wordFilter = Objects.requireNonNullElse(wordFilter, WordFilterConfig.DISABLED);
        rateLimits = Objects.requireNonNullElse(rateLimits, SendRateLimits.DEFAULTS);
        messageChanges = Objects.requireNonNullElse(messageChanges, MessageChangeSettings.DEFAULTS);
        hooks = Objects.requireNonNullElse(hooks, WebhookConfig.DISABLED);
        mediaUploads = Objects.requireNonNullElse(mediaUploads, MediaUploadLimits.DEFAULTS);
        range("logic.max-poll-records", maxPollRecords, 1, 10_000);
        batchLinger = range("LogicConfig.batchLinger (set in code, no YAML key)",
                batchLinger, Duration.ZERO, Duration.ofSeconds(1));
        httpHost = httpHost == null || httpHost.isBlank() ? DEFAULT_HTTP_HOST : httpHost;
        range("logic.http-port", httpPort, 0, 65_535);
        if (tokenSecret == null || tokenSecret.length < 32) {
            throw new IllegalArgumentException("auth.token-secret must be at least 32 bytes, got "
                    + (tokenSecret == null ? 0 : tokenSecret.length) + "; the logic role cannot issue tokens");
        }
        tokenSecret = tokenSecret.clone();
        tokenTtl = range("auth.token-ttl", tokenTtl, Duration.ofMinutes(1), Duration.ofDays(365));
        range("logic.pbkdf2-iterations", pbkdf2Iterations, 1_000, 10_000_000);
        range("LogicConfig.accountCacheSize (set in code, no YAML key)", accountCacheSize, 0, 10_000_000);
        range("LogicConfig.uidSegmentStep (set in code, no YAML key)", uidSegmentStep, 1, 1_000_000);
        workerLeaseTtl = range("LogicConfig.workerLeaseTtl (set in code, no YAML key)",
                workerLeaseTtl, Duration.ofSeconds(3), Duration.ofMinutes(10));
        retryBackoffMin = range("LogicConfig.retryBackoffMin (set in code, no YAML key)",
                retryBackoffMin, Duration.ofMillis(1), Duration.ofMinutes(1));
        retryBackoffMax = range("LogicConfig.retryBackoffMax (set in code, no YAML key)",
                retryBackoffMax, retryBackoffMin, Duration.ofMinutes(10));
        pushAckTimeout = range("LogicConfig.pushAckTimeout (set in code, no YAML key)",
                pushAckTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
        range("logic.max-group-members", maxGroupMembers, 2, 50_000);
        range("logic.large-group-threshold", largeGroupThreshold, 0, 50_000);
        range("LogicConfig.groupIdSegmentStep (set in code, no YAML key)", groupIdSegmentStep, 1, 1_000_000);
        syncVersionWindow = range("logic.sync-version-window", syncVersionWindow, Duration.ZERO, Duration.ofMinutes(10));
        range("logic.queries-per-poll", queriesPerPoll, 1, 10_000);
        range("logic.query-backlog", queryBacklog, 1, 1_000_000);
        writeIdleTimeout = range("logic.write-idle-timeout", writeIdleTimeout, Duration.ofSeconds(1),
                Duration.ofMinutes(5));
        recallWindow = range("logic.recall-window", recallWindow, Duration.ZERO, Duration.ofDays(7));
        range("logic.admin-broadcast-rate", broadcastRate, 1, 100_000);
        Objects.requireNonNull(tls, "tls (default TlsConfig.DISABLED)");
        sessions = Objects.requireNonNullElse(sessions, SessionSettings.defaults());
        presence = Objects.requireNonNullElse(presence, PresenceConfig.defaults());
        cors = Objects.requireNonNullElse(cors, CrossOrigin.ANY);
        media = Objects.requireNonNullElse(media, MediaConfig.defaults());
        webLsbUrl = webLsbUrl == null || webLsbUrl.isBlank() ? null : webLsbUrl.strip();
        if (webLsbUrl != null && !webLsbUrl.matches("https?://[^/?#\\s]+/?")) {
            throw new IllegalArgumentException("web.lsb-url must be http(s)://host[:port] as a browser reaches the LSB"
                    + " (e.g. https://lsb.example.com), got '" + webLsbUrl + "'");
        }
        if (sessions.tokenKeys() == null) {
            sessions = sessions.withTokenKeys(io.magpie.protocol.auth.TokenKeys.single(tokenSecret));
        }
    }

    @Override
    public byte[] tokenSecret() {
        return tokenSecret.clone();
    }

    @Override
    public String toString() {
        // never print the secret
        return "LogicConfig[kafkaBootstrap=" + kafkaBootstrap + ", topicPrefix=" + topicPrefix
                + ", consumerGroup=" + consumerGroup + ", maxPollRecords=" + maxPollRecords
                + ", batchLinger=" + batchLinger + ", http=" + httpHost + ":" + httpPort
                + ", tokenSecret=<" + tokenSecret.length + " bytes>, tokenTtl=" + tokenTtl
                + ", pbkdf2Iterations=" + pbkdf2Iterations
                + ", accountCacheSize=" + accountCacheSize + ", uidSegmentStep=" + uidSegmentStep
                + ", workerLeaseTtl=" + workerLeaseTtl + ", retryBackoff=" + retryBackoffMin + ".." + retryBackoffMax
                + ", pushAckTimeout=" + pushAckTimeout + ", maxGroupMembers=" + maxGroupMembers
                + ", largeGroupThreshold=" + largeGroupThreshold + ", groupIdSegmentStep=" + groupIdSegmentStep
                + ", syncVersionWindow=" + syncVersionWindow + ", queriesPerPoll=" + queriesPerPoll
                + ", queryBacklog=" + queryBacklog + ", writeIdleTimeout=" + writeIdleTimeout + ", sessions=" + sessions
                + ", recallWindow=" + recallWindow + ", presence=" + presence + ", cors=" + cors.origins()
                + ", webLsbUrl=" + webLsbUrl + ", content=" + content + ", wordFilter=" + wordFilter
                + ", rateLimits=" + rateLimits + ", broadcastRate=" + broadcastRate + ", media=" + media

                + ", messageChanges=" + messageChanges + ", hooks=" + hooks + ", mediaUploads=" + mediaUploads + "]";
    }

    /** A builder with every default set; only the bootstrap servers and the token secret are required. */
    public static Builder builder(String kafkaBootstrap, byte[] tokenSecret) {
        return new Builder(kafkaBootstrap, tokenSecret);
    }

    /** Same as {@link #builder(String, byte[])} with the secret's UTF-8 bytes. */
    public static Builder builder(String kafkaBootstrap, String tokenSecret) {
        return new Builder(kafkaBootstrap, tokenSecret == null ? null : tokenSecret.getBytes(StandardCharsets.UTF_8));
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static Duration range(String name, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** Mutable builder of a {@link LogicConfig}; not thread-safe. */
    public static final class Builder {
        private final String kafkaBootstrap;
        private final byte[] tokenSecret;
        private String topicPrefix = DEFAULT_TOPIC_PREFIX;
        private String consumerGroup;
        private int maxPollRecords = DEFAULT_MAX_POLL_RECORDS;
        private Duration batchLinger = DEFAULT_BATCH_LINGER;
        private String httpHost = DEFAULT_HTTP_HOST;
        private int httpPort = DEFAULT_HTTP_PORT;
        private Duration tokenTtl = DEFAULT_TOKEN_TTL;
        private int pbkdf2Iterations = DEFAULT_PBKDF2_ITERATIONS;
        private int accountCacheSize = DEFAULT_ACCOUNT_CACHE_SIZE;
        private int uidSegmentStep = DEFAULT_UID_SEGMENT_STEP;
        private Duration workerLeaseTtl = DEFAULT_WORKER_LEASE_TTL;
        private Duration retryBackoffMin = DEFAULT_RETRY_BACKOFF_MIN;
        private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
        private Duration pushAckTimeout = DEFAULT_PUSH_ACK_TIMEOUT;
        private int maxGroupMembers = DEFAULT_MAX_GROUP_MEMBERS;
        private int largeGroupThreshold = DEFAULT_LARGE_GROUP_THRESHOLD;
        private int groupIdSegmentStep = DEFAULT_GROUP_ID_SEGMENT_STEP;
        private Duration syncVersionWindow = DEFAULT_SYNC_VERSION_WINDOW;
        private int queriesPerPoll = DEFAULT_QUERIES_PER_POLL;
        private int queryBacklog = DEFAULT_QUERY_BACKLOG;
        private TlsConfig tls = TlsConfig.DISABLED;
        private Duration writeIdleTimeout = DEFAULT_WRITE_IDLE_TIMEOUT;
        private SessionSettings sessions = SessionSettings.defaults();
        private Duration recallWindow = DEFAULT_RECALL_WINDOW;
        private PresenceConfig presence = PresenceConfig.defaults();
        private CrossOrigin cors = CrossOrigin.ANY;
        private String webLsbUrl;
        private ContentLimits content = ContentLimits.defaults();
        private WordFilterConfig wordFilter = WordFilterConfig.DISABLED;
        private SendRateLimits rateLimits = SendRateLimits.DEFAULTS;
        private int broadcastRate = DEFAULT_BROADCAST_RATE;
        private MediaConfig media;
        private MessageChangeSettings messageChanges = MessageChangeSettings.DEFAULTS;
        private WebhookConfig hooks = WebhookConfig.DISABLED;
        private MediaUploadLimits mediaUploads = MediaUploadLimits.DEFAULTS;

        private Builder(String kafkaBootstrap, byte[] tokenSecret) {
            this.kafkaBootstrap = kafkaBootstrap;
            this.tokenSecret = tokenSecret;
        }

        public Builder topicPrefix(String v) { this.topicPrefix = v; return this; }
        public Builder consumerGroup(String v) { this.consumerGroup = v; return this; }
        public Builder maxPollRecords(int v) { this.maxPollRecords = v; return this; }
        public Builder batchLinger(Duration v) { this.batchLinger = v; return this; }
        public Builder httpHost(String v) { this.httpHost = v; return this; }
        public Builder httpPort(int v) { this.httpPort = v; return this; }
        public Builder tokenTtl(Duration v) { this.tokenTtl = v; return this; }
        public Builder pbkdf2Iterations(int v) { this.pbkdf2Iterations = v; return this; }
        public Builder accountCacheSize(int v) { this.accountCacheSize = v; return this; }
        public Builder uidSegmentStep(int v) { this.uidSegmentStep = v; return this; }
        public Builder workerLeaseTtl(Duration v) { this.workerLeaseTtl = v; return this; }
        public Builder retryBackoffMin(Duration v) { this.retryBackoffMin = v; return this; }
        public Builder retryBackoffMax(Duration v) { this.retryBackoffMax = v; return this; }
        public Builder pushAckTimeout(Duration v) { this.pushAckTimeout = v; return this; }
        public Builder maxGroupMembers(int v) { this.maxGroupMembers = v; return this; }
        public Builder largeGroupThreshold(int v) { this.largeGroupThreshold = v; return this; }
        public Builder groupIdSegmentStep(int v) { this.groupIdSegmentStep = v; return this; }
        public Builder syncVersionWindow(Duration v) { this.syncVersionWindow = v; return this; }
        public Builder queriesPerPoll(int v) { this.queriesPerPoll = v; return this; }
        public Builder queryBacklog(int v) { this.queryBacklog = v; return this; }
        public Builder tls(TlsConfig v) { this.tls = v; return this; }
        public Builder writeIdleTimeout(Duration v) { this.writeIdleTimeout = v; return this; }
        public Builder sessions(SessionSettings v) { this.sessions = v; return this; }
        public Builder recallWindow(Duration v) { this.recallWindow = v; return this; }
        public Builder presence(PresenceConfig v) { this.presence = v; return this; }
        public Builder cors(CrossOrigin v) { this.cors = v; return this; }
        public Builder webLsbUrl(String v) { this.webLsbUrl = v; return this; }
        public Builder content(ContentLimits v) { this.content = v; return this; }
        public Builder wordFilter(WordFilterConfig v) { this.wordFilter = v; return this; }
        public Builder rateLimits(SendRateLimits v) { this.rateLimits = v; return this; }
        public Builder broadcastRate(int v) { this.broadcastRate = v; return this; }
        public Builder media(MediaConfig v) { this.media = v; return this; }
        public Builder messageChanges(MessageChangeSettings v) { this.messageChanges = v; return this; }
        public Builder hooks(WebhookConfig v) { this.hooks = v; return this; }
        public Builder mediaUploads(MediaUploadLimits v) { this.mediaUploads = v; return this; }

        public LogicConfig build() {
            return new LogicConfig(kafkaBootstrap, topicPrefix, consumerGroup, maxPollRecords, batchLinger,
                    httpHost, httpPort, tokenSecret, tokenTtl, pbkdf2Iterations,
                    accountCacheSize, uidSegmentStep, workerLeaseTtl, retryBackoffMin, retryBackoffMax,
                    pushAckTimeout, maxGroupMembers, largeGroupThreshold, groupIdSegmentStep, syncVersionWindow,
                    queriesPerPoll, queryBacklog, tls, writeIdleTimeout, sessions, recallWindow, presence,
                    cors, webLsbUrl, content, wordFilter, rateLimits, broadcastRate, media,
                    messageChanges, hooks, mediaUploads);
        }
    }
}
