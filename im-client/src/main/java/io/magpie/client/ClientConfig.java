package io.magpie.client;

import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.tls.ClientTls;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Settings of the client SDK, validated once when built: a value out of range fails with a message
 * naming the setting, its bounds and the value given. Immutable; build with {@link #builder()}, which
 * holds every default.
 *
 * @param accountApiUrl        base URL of the account API (default {@code http://127.0.0.1:8081})
 * @param lsbUrl               base URL of the LSB (default {@code http://127.0.0.1:8080})
 * @param transport            TCP or WEBSOCKET (default TCP)
 * @param deviceId             this installation's stable id, 1-64 characters of {@code [A-Za-z0-9._:-]};
 *                             a login of the same uid and device elsewhere kicks this one (default: a
 *                             random UUID per built config; real apps should persist theirs)
 * @param platform             sent at login (default DESKTOP)
 * @param appId                app id the LSB matches gates against and the login ({@link AccountClient}) puts in
 *                             the token, so gates serving specific apps admit this client; 1-64 characters of
 *                             {@code [A-Za-z0-9._-]}, null for none (default null)
 * @param grayTag              gray group the LSB matches gates against, null for none (default null)
 * @param zone                 region/zone whose gates the LSB prefers, falling back to others when it has none
 *                             there; null for no preference (default null)
 * @param clientVersion        free text sent in LOGIN, logged by the gate (default {@code magpie-java})
 * @param connectTimeout       TCP connect plus WebSocket handshake limit, 100 ms..5 min (default 5 s)
 * @param requestTimeout       wait for LOGIN_ACK, SEND_ACK or another answer, 100 ms..10 min (default 10 s);
 *                             also the HTTP timeout of the account API and LSB calls
 * @param heartbeat            PING interval until LOGIN_ACK says otherwise, 1 s..1 h (default 30 s);
 *                             no read for 3 intervals closes the connection and reconnects
 * @param reconnectBackoffBase first reconnect delay bound, 10 ms..1 min (default 200 ms)
 * @param reconnectBackoffMax  largest reconnect delay bound, at least the base, at most 1 h (default 10 s);
 *                             the delay is uniform in [0, min(max, base * 2^attempt)] (full jitter)
 * @param autoReconnect        reconnect after an unexpected close (default true)
 * @param maxFrameBytes        largest frame body accepted from the server, 1 KiB..64 MiB (default 1 MiB)
 * @param syncPageSize         conversations asked for per SYNC page ({@code SyncRequest.limit}), 1..1000
 *                             (default 100); the server may answer fewer
 * @param pullPageSize         messages asked for per PULL page ({@code PullRequest.limit}), 1..1000
 *                             (default 100); the server may answer fewer
 * @param rateLimitRetries     resends of a SEND, SYNC or PULL the gate refused with {@code RATE_LIMITED}, each
 *                             after the {@code retry_after_ms} it asked for and within the request timeout,
 *                             0..100 (default 3); 0 fails the request with the first refusal. Meanwhile the
 *                             connection's other requests wait their turn, so the client does not hammer
 *                             the gate
 * @param clock                time source for token expiry checks, at logout too (default UTC system clock)
 * @param eventLoopGroup       a Netty group to share between clients (the caller shuts it down), or
 *                             null for one single-threaded group owned by the client (default null)
 * @param tls                  which server certificates to trust on TLS connections (gates the LSB marks
 *                             {@code tls}, {@code https://} URLs): null for the JDK's trust store (default),
 *                             or {@link ClientTls#trusting(Path)} a PEM trust file ({@link Builder#trustFile})
 * @param requireTls           refuse plaintext: the two URLs must be {@code https://} and a gate the LSB
 *                             hands out without TLS is not connected to (default false: TLS where offered)
 */
public record ClientConfig(
        URI accountApiUrl,
        URI lsbUrl,
        Transport transport,
        String deviceId,
        Platform platform,
        String appId,
        String grayTag,
        String zone,
        String clientVersion,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration heartbeat,
        Duration reconnectBackoffBase,
        Duration reconnectBackoffMax,
        boolean autoReconnect,
        int maxFrameBytes,
        int syncPageSize,
        int pullPageSize,
        int rateLimitRetries,
        Clock clock,
        EventLoopGroup eventLoopGroup,
        ClientTls tls,
        boolean requireTls) {

    /** The account API's device id alphabet (docs/PROTOCOL.md §1.1). */
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    public ClientConfig {
        httpUrl("client.accountApiUrl", accountApiUrl);
        httpUrl("client.lsbUrl", lsbUrl);
        require(transport != null, "client.transport must be TCP or WEBSOCKET, got null");
        require(deviceId != null && DEVICE_ID.matcher(deviceId).matches(),
                "client.deviceId must be 1-64 characters of [A-Za-z0-9._:-], got '" + deviceId + "'");
        require(platform != null && platform != Platform.PLATFORM_UNSPECIFIED && platform != Platform.UNRECOGNIZED,
                "client.platform must be one of ANDROID, IOS, DESKTOP, WEB, got " + platform);
        appId = blankToNull(appId);
        require(appId == null || TokenClaims.validAppId(appId),
                "client.appId must be " + TokenClaims.APP_ID_RULE + " or null, got '" + appId + "'");
        grayTag = blankToNull(grayTag);
        zone = blankToNull(zone);
        clientVersion = clientVersion == null ? "" : clientVersion;
        between("client.connectTimeout", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        between("client.requestTimeout", requestTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        between("client.heartbeat", heartbeat, Duration.ofSeconds(1), Duration.ofHours(1));
        between("client.reconnectBackoffBase", reconnectBackoffBase, Duration.ofMillis(10), Duration.ofMinutes(1));
        between("client.reconnectBackoffMax", reconnectBackoffMax, Duration.ofMillis(10), Duration.ofHours(1));
        require(reconnectBackoffMax.compareTo(reconnectBackoffBase) >= 0,
                "client.reconnectBackoffMax (" + reconnectBackoffMax + ") must not be below client.reconnectBackoffBase ("
                        + reconnectBackoffBase + ")");
        require(maxFrameBytes >= 1024 && maxFrameBytes <= (64 << 20),
                "client.maxFrameBytes must be 1024..67108864, got " + maxFrameBytes);
        require(syncPageSize >= 1 && syncPageSize <= 1000, "client.syncPageSize must be 1..1000, got " + syncPageSize);
        require(pullPageSize >= 1 && pullPageSize <= 1000, "client.pullPageSize must be 1..1000, got " + pullPageSize);
        require(rateLimitRetries >= 0 && rateLimitRetries <= 100,
                "client.rateLimitRetries must be 0..100, got " + rateLimitRetries);
        require(clock != null, "client.clock must not be null");
        require(!requireTls || "https".equals(accountApiUrl.getScheme()),
                "client.accountApiUrl must be https:// when client.requireTls is set, got " + accountApiUrl);
        require(!requireTls || "https".equals(lsbUrl.getScheme()),
                "client.lsbUrl must be https:// when client.requireTls is set, got " + lsbUrl);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().accountApiUrl(accountApiUrl).lsbUrl(lsbUrl).transport(transport).deviceId(deviceId)
                .platform(platform).appId(appId).grayTag(grayTag).zone(zone).clientVersion(clientVersion)
                .connectTimeout(connectTimeout).requestTimeout(requestTimeout).heartbeat(heartbeat)
                .reconnectBackoffBase(reconnectBackoffBase).reconnectBackoffMax(reconnectBackoffMax)
                .autoReconnect(autoReconnect).maxFrameBytes(maxFrameBytes).syncPageSize(syncPageSize)
                .pullPageSize(pullPageSize).rateLimitRetries(rateLimitRetries).clock(clock)
                .eventLoopGroup(eventLoopGroup).tls(tls).requireTls(requireTls);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void between(String name, Duration value, Duration min, Duration max) {
        require(value != null && value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
                name + " must be between " + min + " and " + max + ", got " + value);
    }

    private static void httpUrl(String name, URI url) {
        require(url != null && url.getHost() != null
                        && ("http".equals(url.getScheme()) || "https".equals(url.getScheme())),
                name + " must be an absolute http(s) URL with a host, got " + url);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Holds every default; not thread-safe. */
    public static final class Builder {
        private URI accountApiUrl = URI.create("http://127.0.0.1:8081");
        private URI lsbUrl = URI.create("http://127.0.0.1:8080");
        private Transport transport = Transport.TCP;
        private String deviceId;
        private Platform platform = Platform.DESKTOP;
        private String appId;
        private String grayTag;
        private String zone;
        private String clientVersion = "magpie-java";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration heartbeat = Duration.ofSeconds(30);
        private Duration reconnectBackoffBase = Duration.ofMillis(200);
        private Duration reconnectBackoffMax = Duration.ofSeconds(10);
        private boolean autoReconnect = true;
        private int maxFrameBytes = 1 << 20;
        private int syncPageSize = 100;
        private int pullPageSize = 100;
        private int rateLimitRetries = 3;
        private Clock clock = Clock.systemUTC();
        private EventLoopGroup eventLoopGroup;
        private ClientTls tls;
        private boolean requireTls;

        private Builder() {
        }

        public Builder accountApiUrl(URI v) { this.accountApiUrl = v; return this; }
        public Builder accountApiUrl(String v) { return accountApiUrl(URI.create(v)); }
        public Builder lsbUrl(URI v) { this.lsbUrl = v; return this; }
        public Builder lsbUrl(String v) { return lsbUrl(URI.create(v)); }
        public Builder transport(Transport v) { this.transport = v; return this; }
        public Builder deviceId(String v) { this.deviceId = v; return this; }
        public Builder platform(Platform v) { this.platform = v; return this; }
        public Builder appId(String v) { this.appId = v; return this; }
        public Builder grayTag(String v) { this.grayTag = v; return this; }
        public Builder zone(String v) { this.zone = v; return this; }
        public Builder clientVersion(String v) { this.clientVersion = v; return this; }
        public Builder connectTimeout(Duration v) { this.connectTimeout = v; return this; }
        public Builder requestTimeout(Duration v) { this.requestTimeout = v; return this; }
        public Builder heartbeat(Duration v) { this.heartbeat = v; return this; }
        public Builder reconnectBackoffBase(Duration v) { this.reconnectBackoffBase = v; return this; }
        public Builder reconnectBackoffMax(Duration v) { this.reconnectBackoffMax = v; return this; }
        public Builder autoReconnect(boolean v) { this.autoReconnect = v; return this; }
        public Builder maxFrameBytes(int v) { this.maxFrameBytes = v; return this; }
        public Builder syncPageSize(int v) { this.syncPageSize = v; return this; }
        public Builder pullPageSize(int v) { this.pullPageSize = v; return this; }
        public Builder rateLimitRetries(int v) { this.rateLimitRetries = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder eventLoopGroup(EventLoopGroup v) { this.eventLoopGroup = v; return this; }
        /** Trust settings to share between clients (read the trust file once); null = the JDK's trust store. */
        public Builder tls(ClientTls v) { this.tls = v; return this; }
        /**
         * Trust only the certificates in this PEM file (a private CA, or the self-signed certificate of
         * {@code magpie standalone --tls}); null = the JDK's trust store. Reads the file now.
         *
         * @throws IllegalArgumentException naming the file when it is unreadable or holds no certificate
         */
        public Builder trustFile(Path v) { this.tls = v == null ? null : ClientTls.trusting(v); return this; }
        public Builder requireTls(boolean v) { this.requireTls = v; return this; }

        /** Validates and builds; a missing device id becomes a random UUID. */
        public ClientConfig build() {
            return new ClientConfig(accountApiUrl, lsbUrl, transport,
                    Objects.requireNonNullElseGet(deviceId, () -> UUID.randomUUID().toString()), platform, appId,
                    grayTag, zone, clientVersion, connectTimeout, requestTimeout, heartbeat, reconnectBackoffBase,
                    reconnectBackoffMax, autoReconnect, maxFrameBytes, syncPageSize, pullPageSize, rateLimitRetries,
                    clock, eventLoopGroup, tls, requireTls);
        }
    }
}
