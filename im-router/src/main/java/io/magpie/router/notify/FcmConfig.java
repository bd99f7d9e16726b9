package io.magpie.router.notify;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the {@link FcmNotifier} ({@code notifier.fcm.*}), validated at construction: a value out of
 * range fails with a message naming the key and its bounds. Immutable; {@link #builder()} starts from the
 * defaults.
 *
 * @param serviceAccountFile the service account's JSON key file (Firebase console, Project settings,
 *                           Service accounts); required
 * @param projectId          the Firebase project id; null = the {@code project_id} of the key file
 * @param baseUrl            the FCM API's base URL (messages go to
 *                           {@code {base}/v1/projects/{project}/messages:send}); default
 *                           {@code https://fcm.googleapis.com}; http(s) with a host
 * @param tokenUrl           the OAuth2 token endpoint; null = the {@code token_uri} of the key file
 * @param ttl                how long FCM keeps trying to deliver to an off device ({@code android.ttl});
 *                           0 s-28 days, default 1 day
 * @param title              the notification's title; null = no title (the body is the message's preview)
 */
public record FcmConfig(Path serviceAccountFile, String projectId, URI baseUrl, URI tokenUrl, Duration ttl,
        String title) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://fcm.googleapis.com");
    public static final Duration DEFAULT_TTL = Duration.ofDays(1);

    public FcmConfig {
        if (serviceAccountFile == null) {
            throw new IllegalArgumentException("notifier.fcm.service-account-file is required: the JSON key of a"
                    + " service account allowed to send with Firebase Cloud Messaging");
        }
        projectId = projectId == null || projectId.isBlank() ? null : projectId.trim();
        baseUrl = httpUrl("notifier.fcm.base-url", baseUrl == null ? DEFAULT_BASE_URL : baseUrl);
        tokenUrl = tokenUrl == null ? null : httpUrl("notifier.fcm.token-url", tokenUrl);
        if (ttl == null || ttl.isNegative() || ttl.compareTo(Duration.ofDays(28)) > 0) {
            throw new IllegalArgumentException("notifier.fcm.ttl must be between 0s and 28 days (FCM's longest),"
                    + " got " + ttl);
        }
        title = title == null || title.isBlank() ? null : title;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static URI httpUrl(String key, URI url) {
        if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException(key + " must be an absolute http(s) URL with a host, got " + url);
        }
        return url;
    }

    /** Mutable builder of an {@link FcmConfig}; not thread-safe. */
    public static final class Builder {
        private Path serviceAccountFile;
        private String projectId;
        private URI baseUrl = DEFAULT_BASE_URL;
        private URI tokenUrl;
        private Duration ttl = DEFAULT_TTL;
        private String title;

        private Builder() {
        }

        public Builder serviceAccountFile(Path v) { this.serviceAccountFile = v; return this; }
        public Builder projectId(String v) { this.projectId = v; return this; }
        public Builder baseUrl(URI v) { this.baseUrl = v; return this; }
        public Builder baseUrl(String v) { return baseUrl(v == null || v.isBlank() ? null : URI.create(v)); }
        public Builder tokenUrl(URI v) { this.tokenUrl = v; return this; }
        public Builder tokenUrl(String v) { return tokenUrl(v == null || v.isBlank() ? null : URI.create(v)); }
        public Builder ttl(Duration v) { this.ttl = v; return this; }
        public Builder title(String v) { this.title = v; return this; }

        public FcmConfig build() {
            return new FcmConfig(serviceAccountFile, projectId, baseUrl, tokenUrl, ttl, title);
        }
    }
}
