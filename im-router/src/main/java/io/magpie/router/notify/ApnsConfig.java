package io.magpie.router.notify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of the {@link ApnsNotifier} ({@code notifier.apns.*}), validated at construction: a value out of
 * range fails with a message naming the key and its bounds. Token-based authentication only (a {@code .p8}
 * signing key, not a certificate). Immutable; {@link #builder()} starts from the defaults.
 *
 * @param signingKeyFile        the {@code .p8} file (PKCS#8 PEM of an EC P-256 key) from the Apple developer
 *                              account; required
 * @param teamId                the Apple team id, 10 characters of [A-Z0-9]; required
 * @param keyId                 the id of the signing key, 10 characters of [A-Z0-9]; required
 * @param topic                 the app's bundle id ({@code apns-topic}); required
 * @param environment           {@code production} ({@code api.push.apple.com}) or {@code development}
 *                              ({@code api.sandbox.push.apple.com}); default production
 * @param host                  an explicit APNs host (a proxy, a test server), overriding the environment's;
 *                              null = the environment's host
 * @param port                  the port; 1-65535, default 443
 * @param trustedCertificateFile PEM certificates to trust for the server instead of the JVM's CAs (a test
 *                              server, a TLS-terminating proxy); null = the JVM's CAs
 * @param expiration            how long APNs keeps trying to deliver to an off device ({@code apns-expiration});
 *                              0 = deliver now or never; 0 s-30 days, default 1 day
 * @param alertTitle            the alert's title; null = no title (the body is the message's preview)
 * @param concurrentConnections HTTP/2 connections to APNs; 1-16, default 1 (one carries hundreds of streams)
 */
public record ApnsConfig(Path signingKeyFile, String teamId, String keyId, String topic, Environment environment,
        String host, int port, Path trustedCertificateFile, Duration expiration, String alertTitle,
        int concurrentConnections) {

    /** Which APNs service the device tokens were issued by. */
    public enum Environment {
        PRODUCTION("api.push.apple.com"),
        DEVELOPMENT("api.sandbox.push.apple.com");

        private final String host;

        Environment(String host) {
            this.host = host;
        }

        public String host() {
            return host;
        }

        /** {@code production} or {@code development}, any case. */
        public static Environment parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("notifier.apns.environment must be production or development,"
                        + " got '" + value + "'", e);
            }
        }
    }

    public static final int DEFAULT_PORT = 443;
    public static final Duration DEFAULT_EXPIRATION = Duration.ofDays(1);
    private static final Pattern APPLE_ID = Pattern.compile("[A-Z0-9]{10}");

    public ApnsConfig {
        if (signingKeyFile == null) {
            throw new IllegalArgumentException("notifier.apns.signing-key-file is required: the .p8 file of an APNs"
                    + " auth key (Apple developer account, Keys)");
        }
        teamId = appleId("notifier.apns.team-id", teamId);
        keyId = appleId("notifier.apns.key-id", keyId);
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("notifier.apns.topic is required: the app's bundle id, e.g."
                    + " com.example.chat");
        }
        topic = topic.trim();
        environment = Objects.requireNonNullElse(environment, Environment.PRODUCTION);
        host = host == null || host.isBlank() ? null : host.trim();
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("notifier.apns.port must be between 1 and 65535, got " + port);
        }
        if (expiration == null || expiration.isNegative() || expiration.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("notifier.apns.expiration must be between 0s and 30 days, got "
                    + expiration);
        }
        alertTitle = alertTitle == null || alertTitle.isBlank() ? null : alertTitle;
        if (concurrentConnections < 1 || concurrentConnections > 16) {
            throw new IllegalArgumentException("notifier.apns.concurrent-connections must be between 1 and 16, got "
                    + concurrentConnections);
        }
    }

    /** The host notifications go to: {@link #host()} if set, else the environment's. */
    public String effectiveHost() {
        return host != null ? host : environment.host();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static String appleId(String key, String value) {
        String v = value == null ? "" : value.trim();
        if (!APPLE_ID.matcher(v).matches()) {
            throw new IllegalArgumentException(key + " must be the 10 characters of [A-Z0-9] Apple shows for it, got '"
                    + value + "'");
        }
        return v;
    }

    /** Mutable builder of an {@link ApnsConfig}; not thread-safe. */
    public static final class Builder {
        private Path signingKeyFile;
        private String teamId;
        private String keyId;
        private String topic;
        private Environment environment = Environment.PRODUCTION;
        private String host;
        private int port = DEFAULT_PORT;
        private Path trustedCertificateFile;
        private Duration expiration = DEFAULT_EXPIRATION;
        private String alertTitle;
        private int concurrentConnections = 1;

        private Builder() {
        }

        public Builder signingKeyFile(Path v) { this.signingKeyFile = v; return this; }
        public Builder teamId(String v) { this.teamId = v; return this; }
        public Builder keyId(String v) { this.keyId = v; return this; }
        public Builder topic(String v) { this.topic = v; return this; }
        public Builder environment(Environment v) { this.environment = v; return this; }
        public Builder host(String v) { this.host = v; return this; }
        public Builder port(int v) { this.port = v; return this; }
        public Builder trustedCertificateFile(Path v) { this.trustedCertificateFile = v; return this; }
        public Builder expiration(Duration v) { this.expiration = v; return this; }
        public Builder alertTitle(String v) { this.alertTitle = v; return this; }
        public Builder concurrentConnections(int v) { this.concurrentConnections = v; return this; }

        public ApnsConfig build() {
            return new ApnsConfig(signingKeyFile, teamId, keyId, topic, environment, host, port,
                    trustedCertificateFile, expiration, alertTitle, concurrentConnections);
        }
    }
}
