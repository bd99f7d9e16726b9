package io.magpie.router;

import io.magpie.protocol.link.ClusterSecret;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the router role, validated once at construction: a value out of range fails with a
 * message naming the setting and its bounds. Immutable; {@link #builder(String)} starts from the
 * defaults.
 *
 * @param kafkaBootstrap  Kafka bootstrap servers, {@code host:port[,host:port]}; required
 * @param topicPrefix     prefix of the {@code push}/{@code offline} topics; default {@code magpie.}
 * @param consumerGroup   consumer group of the push consumer; default {@code <topicPrefix>router}
 * @param pushTimeout     how long a gate has to acknowledge a GATE_PUSH (and Kafka an offline task)
 *                        before the batch is retried; 100 ms-5 min, default 5 s
 * @param maxPollRecords  most push tasks handled as one batch; 1-10000, default 500
 * @param connectTimeout  TCP connect timeout to a gate's internal port; 100 ms-1 min, default 3 s
 * @param retryBackoffMin first wait before a failed batch is retried; 1 ms-1 min, default 100 ms
 * @param retryBackoffMax longest wait between retries; >= retryBackoffMin, at most 10 min, default 5 s
 * @param maxFrameBytes   largest frame body accepted from a gate; 1 KiB-64 MiB, default 1 MiB
 * @param clusterSecret   key of the mutual handshake with every gate ({@code cluster.secret}); default a random
 *                        one, with which no gate accepts this router
 * @param routerId        this router's name in the handshake and the gates' logs; 1-128 characters, default
 *                        {@code <consumerGroup>-<random>}
 * @param maxAckTimeouts  consecutive GATE_PUSH_ACK timeouts after which the connection to that gate is closed and
 *                        opened again on the next push; 1-100, default 3
 * @param linkPingInterval a PING is sent to a gate after this long without writing, so the gate's idle timeout
 *                        does not close a quiet link; 1 s-10 min, default 30 s
 */
public record RouterConfig(
        String kafkaBootstrap,
        String topicPrefix,
        String consumerGroup,
        Duration pushTimeout,
        int maxPollRecords,
        Duration connectTimeout,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        int maxFrameBytes,
        ClusterSecret clusterSecret,
        String routerId,
        int maxAckTimeouts,
        Duration linkPingInterval) {

    public static final String DEFAULT_TOPIC_PREFIX = "magpie.";
    public static final Duration DEFAULT_PUSH_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_POLL_RECORDS = 500;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_ACK_TIMEOUTS = 3;
    public static final Duration DEFAULT_LINK_PING_INTERVAL = Duration.ofSeconds(30);

    public RouterConfig {
        if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap is required (host:port of a Kafka broker)");
        }
        topicPrefix = Objects.requireNonNullElse(topicPrefix, DEFAULT_TOPIC_PREFIX);
        if (consumerGroup == null || consumerGroup.isBlank()) {
            consumerGroup = topicPrefix + "router";
        }
        pushTimeout = range("router.push-timeout", pushTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        if (maxPollRecords < 1 || maxPollRecords > 10_000) {
            throw new IllegalArgumentException("router.max-poll-records must be between 1 and 10000, got "
                    + maxPollRecords);
        }
        connectTimeout = range("RouterConfig.connectTimeout (set in code, no YAML key)",
                connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
        retryBackoffMin = range("RouterConfig.retryBackoffMin (set in code, no YAML key)",
                retryBackoffMin, Duration.ofMillis(1), Duration.ofMinutes(1));
        retryBackoffMax = range("RouterConfig.retryBackoffMax (set in code, no YAML key)",
                retryBackoffMax, retryBackoffMin, Duration.ofMinutes(10));
        if (maxFrameBytes < 1024 || maxFrameBytes > 64 << 20) {
            throw new IllegalArgumentException("RouterConfig.maxFrameBytes (set in code, no YAML key)"
                    + " must be between 1024 and " + (64 << 20)
                    + ", got " + maxFrameBytes);
        }
        if (clusterSecret == null) {
            throw new IllegalArgumentException("cluster.secret must be set (at least 32 bytes, the same on gates and"
                    + " routers)");
        }
        if (routerId == null || routerId.isBlank()) {
            routerId = consumerGroup + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        }
        if (routerId.length() > 128) {
            throw new IllegalArgumentException("router id must be 1-128 characters, got " + routerId.length());
        }
        if (maxAckTimeouts < 1 || maxAckTimeouts > 100) {
            throw new IllegalArgumentException("router.max-ack-timeouts must be between 1 and 100, got "
                    + maxAckTimeouts);
        }
        linkPingInterval = range("router.link-ping-interval", linkPingInterval, Duration.ofSeconds(1),
                Duration.ofMinutes(10));
    }

    public static Builder builder(String kafkaBootstrap) {
        return new Builder(kafkaBootstrap);
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

    /** Mutable builder of a {@link RouterConfig}; not thread-safe. */
    public static final class Builder {
        private final String kafkaBootstrap;
        private String topicPrefix = DEFAULT_TOPIC_PREFIX;
        private String consumerGroup;
        private Duration pushTimeout = DEFAULT_PUSH_TIMEOUT;
        private int maxPollRecords = DEFAULT_MAX_POLL_RECORDS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration retryBackoffMin = DEFAULT_RETRY_BACKOFF_MIN;
        private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private ClusterSecret clusterSecret;
        private String routerId;
        private int maxAckTimeouts = DEFAULT_MAX_ACK_TIMEOUTS;
        private Duration linkPingInterval = DEFAULT_LINK_PING_INTERVAL;

        private Builder(String kafkaBootstrap) {
            this.kafkaBootstrap = kafkaBootstrap;
        }

        public Builder topicPrefix(String v) { this.topicPrefix = v; return this; }
        public Builder consumerGroup(String v) { this.consumerGroup = v; return this; }
        public Builder pushTimeout(Duration v) { this.pushTimeout = v; return this; }
        public Builder maxPollRecords(int v) { this.maxPollRecords = v; return this; }
        public Builder connectTimeout(Duration v) { this.connectTimeout = v; return this; }
        public Builder retryBackoffMin(Duration v) { this.retryBackoffMin = v; return this; }
        public Builder retryBackoffMax(Duration v) { this.retryBackoffMax = v; return this; }
        public Builder maxFrameBytes(int v) { this.maxFrameBytes = v; return this; }
        /** The cluster secret; leave unset for a random one (no gate will accept this router). */
        public Builder clusterSecret(ClusterSecret v) { this.clusterSecret = v; return this; }
        public Builder routerId(String v) { this.routerId = v; return this; }
        public Builder maxAckTimeouts(int v) { this.maxAckTimeouts = v; return this; }
        public Builder linkPingInterval(Duration v) { this.linkPingInterval = v; return this; }

        public RouterConfig build() {
            return new RouterConfig(kafkaBootstrap, topicPrefix, consumerGroup, pushTimeout, maxPollRecords,
                    connectTimeout, retryBackoffMin, retryBackoffMax, maxFrameBytes,
                    clusterSecret == null ? ClusterSecret.random() : clusterSecret, routerId, maxAckTimeouts,
                    linkPingInterval);
        }
    }
}
