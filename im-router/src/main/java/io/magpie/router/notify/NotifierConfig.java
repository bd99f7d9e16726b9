package io.magpie.router.notify;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the notifier worker (role {@code notifier}), validated once at construction: a value
 * out of range fails with a message naming the setting and its bounds. Immutable; {@link #builder(String)}
 * starts from the defaults.
 *
 * @param kafkaBootstrap       Kafka bootstrap servers, {@code host:port[,host:port]}; required
 * @param topicPrefix          prefix of the {@code offline} topic; default {@code magpie.}
 * @param consumerGroup        consumer group; default {@code <topicPrefix>notifier}
 * @param maxPollRecords       most offline tasks handled as one batch; 1-10000, default 100
 * @param sendTimeout          limit of one delivery attempt (also the webhook's HTTP timeout);
 *                             100 ms-1 min, default 5 s
 * @param maxAttempts          delivery attempts per notification before it is logged as failed and
 *                             skipped; 1-20, default 5
 * @param retryBackoffMin      wait after the first failed attempt, doubled after each further one;
 *                             1 ms-1 min, default 500 ms
 * @param retryBackoffMax      longest wait between attempts; >= retryBackoffMin, at most 5 min, default 30 s
 * @param webhookUrl           where the built-in {@code webhook} notifier POSTs (http or https); null =
 *                             no webhook notifier (tokens of provider webhook are skipped); default null
 * @param webhookAuthorization {@code Authorization} header value of webhook POSTs, null for none; default null
 * @param apns                 the {@code apns} notifier's settings; null = no APNs notifier; default null
 * @param fcm                  the {@code fcm} notifier's settings; null = no FCM notifier; default null
 * @param badges               whether notifications carry the user's unread total as badge; default true
 * @param mentionsPassMute     whether a message that mentions the user (@ or @all) is notified in a conversation
 *                             the user muted; default true
 */
public record NotifierConfig(
        String kafkaBootstrap,
        String topicPrefix,
        String consumerGroup,
        int maxPollRecords,
        Duration sendTimeout,
        int maxAttempts,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        URI webhookUrl,
        String webhookAuthorization,
        ApnsConfig apns,
        FcmConfig fcm,
        boolean badges,
        boolean mentionsPassMute) {

    public static final String DEFAULT_TOPIC_PREFIX = "magpie.";
    public static final int DEFAULT_MAX_POLL_RECORDS = 100;
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(30);

    public NotifierConfig {
        if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap is required (host:port of a Kafka broker)");
        }
        topicPrefix = Objects.requireNonNullElse(topicPrefix, DEFAULT_TOPIC_PREFIX);
        if (consumerGroup == null || consumerGroup.isBlank()) {
            consumerGroup = topicPrefix + "notifier";
        }
        if (maxPollRecords < 1 || maxPollRecords > 10_000) {
            throw new IllegalArgumentException("notifier.max-poll-records must be between 1 and 10000, got "
                    + maxPollRecords);
        }
        sendTimeout = range("notifier.send-timeout", sendTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("notifier.max-attempts must be between 1 and 20, got " + maxAttempts);
        }
        retryBackoffMin = range("notifier.retry-backoff-min", retryBackoffMin, Duration.ofMillis(1),
                Duration.ofMinutes(1));
        retryBackoffMax = range("notifier.retry-backoff-max", retryBackoffMax, retryBackoffMin, Duration.ofMinutes(5));
        if (webhookUrl != null && (webhookUrl.getHost() == null
                || !("http".equals(webhookUrl.getScheme()) || "https".equals(webhookUrl.getScheme())))) {
            throw new IllegalArgumentException("notifier.webhook-url must be an absolute http(s) URL with a host, got "
                    + webhookUrl);
        }
        webhookAuthorization = webhookAuthorization == null || webhookAuthorization.isBlank() ? null
                : webhookAuthorization;
    }

    public static Builder builder(String kafkaBootstrap) {
        return new Builder(kafkaBootstrap);
    }

    /**
     * The longest one batch can take when every notification fails retryably until its last attempt
     * (plus a minute for storage lookups): the consumer's {@code max.poll.interval.ms}, so a batch in
     * retries never costs the worker its partitions.
     */
    public Duration maxBatchDuration() {
        return sendTimeout.plus(retryBackoffMax).multipliedBy(maxAttempts).plus(Duration.ofMinutes(1));
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

    /** Mutable builder of a {@link NotifierConfig}; not thread-safe. */
    public static final class Builder {
        private final String kafkaBootstrap;
        private String topicPrefix = DEFAULT_TOPIC_PREFIX;
        private String consumerGroup;
        private int maxPollRecords = DEFAULT_MAX_POLL_RECORDS;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration retryBackoffMin = DEFAULT_RETRY_BACKOFF_MIN;
        private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
        private URI webhookUrl;
        private String webhookAuthorization;
        private ApnsConfig apns;
        private FcmConfig fcm;
        private boolean badges = true;
        private boolean mentionsPassMute = true;

        private Builder(String kafkaBootstrap) {
            this.kafkaBootstrap = kafkaBootstrap;
        }

        public Builder topicPrefix(String v) { this.topicPrefix = v; return this; }
        public Builder consumerGroup(String v) { this.consumerGroup = v; return this; }
        public Builder maxPollRecords(int v) { this.maxPollRecords = v; return this; }
        public Builder sendTimeout(Duration v) { this.sendTimeout = v; return this; }
        public Builder maxAttempts(int v) { this.maxAttempts = v; return this; }
        public Builder retryBackoffMin(Duration v) { this.retryBackoffMin = v; return this; }
        public Builder retryBackoffMax(Duration v) { this.retryBackoffMax = v; return this; }
        public Builder webhookUrl(URI v) { this.webhookUrl = v; return this; }
        public Builder webhookUrl(String v) { return webhookUrl(v == null || v.isBlank() ? null : URI.create(v)); }
        public Builder webhookAuthorization(String v) { this.webhookAuthorization = v; return this; }
        public Builder apns(ApnsConfig v) { this.apns = v; return this; }
        public Builder fcm(FcmConfig v) { this.fcm = v; return this; }
        public Builder badges(boolean v) { this.badges = v; return this; }
        public Builder mentionsPassMute(boolean v) { this.mentionsPassMute = v; return this; }

        public NotifierConfig build() {
            return new NotifierConfig(kafkaBootstrap, topicPrefix, consumerGroup, maxPollRecords, sendTimeout,
                    maxAttempts, retryBackoffMin, retryBackoffMax, webhookUrl, webhookAuthorization, apns, fcm, badges,
                    mentionsPassMute);
        }
    }
}
