package io.magpie.gate;

import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.tls.TlsConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of one gate, validated once when built: a value out of range fails with a message naming
 * the setting, its bounds and the value given. Immutable; build with {@link #builder()}, every
 * setting has a default there.
 *
 * @param gateId                this gate's id in routes and the registry; default
 *                              {@code <hostname>-<6 random chars>}, new on every start so connection
 *                              ids of a restarted gate never collide with stale routes of the old one
 * @param advertisedHost        host clients and routers are told to connect to (default 127.0.0.1)
 * @param bindAddress           local address the listeners bind (default 0.0.0.0)
 * @param tcpPort               client TCP port (default 7000; 0 = ephemeral)
 * @param wsPort                client WebSocket port (default 7001; 0 = ephemeral)
 * @param wsPath                WebSocket upgrade path (default {@code /ws})
 * @param internalPort          router-to-gate push port (default 7002; 0 = ephemeral); routers must pass the
 *                              mutual handshake on {@code clusterSecret} before any frame is acted on
 * @param maxFrameBytes         largest client frame body in bytes (default 65536)
 * @param internalMaxFrameBytes largest internal push frame body in bytes (default 256 KiB, 2 x maxFrameBytes..16 MiB);
 *                              routers split GATE_PUSH to fit it
 * @param loginTimeout          time from connect to LOGIN_ACK before the gate closes (default 5 s)
 * @param heartbeatInterval     PING interval advertised to clients in LOGIN_ACK (default 30 s)
 * @param maxMissedHeartbeats   missed intervals without any read before the gate closes (default 3)
 * @param registryRefresh       how often the gate republishes itself to the registry (default 3 s)
 * @param bossThreads           accept threads (default 1; 0 = Netty default)
 * @param workerThreads         I/O threads (default 0 = Netty default, 2 x cores)
 * @param maxConnections        open client connections above which new ones are closed at once
 *                              (default 200000)
 * @param appIds                business lines this gate serves, for LSB matching and at LOGIN: with a non-empty
 *                              list, only tokens of one of these apps log in here (default empty = any)
 * @param grayTag               gray-release group for LSB matching (default empty)
 * @param capacity              client connections this gate is sized for, published in the registry so the LSB
 *                              weighs load by it; 1..maxConnections, 0 = maxConnections (the default)
 * @param zone                  region/zone of this gate for the LSB's zone preference, "" for none (default);
 *                              1-64 characters of {@code [A-Za-z0-9._-]}
 * @param pushAckTimeout        how long a PUSH waits for its PUSH_ACK before the first resend (default 5 s,
 *                              100 ms..60 s); each further wait doubles, capped at 5 min
 * @param maxPushResends        resends of an unacked PUSH before the gate gives up on it (default 3, 0..10);
 *                              the message stays in storage and the client PULLs it on a seq gap or reconnect
 * @param maxUnackedPushes      unacked PUSH frames kept per connection (default 1000, 1..100000); beyond it the
 *                              oldest is dropped (not resent any more) and counted
 * @param routeRefresh          how often the gate re-registers the routes of all its sessions, so routes lost in
 *                              Redis (FLUSHALL, restart without persistence) come back (default 30 s, 100 ms..1 h)
 * @param devicePolicy          which sessions of one user may be online together (default
 *                              {@link DevicePolicy#MULTI_DEVICE}: any number of devices, one session per device)
 * @param internalBind          local address the internal push port binds (default 127.0.0.1: reachable from
 *                              this host only until the operator names the cluster network's interface)
 * @param internalHandshakeTimeout time a router has from connect to a correct LINK_PROOF (default 5 s, 100 ms..60 s)
 * @param internalIdleTimeout   a router connection that sends nothing (not even its keepalive PING) this long is
 *                              closed (default 120 s, 1 s..1 h)
 * @param clusterSecret         key of the router-gate handshake; default a random one no router knows, so an
 *                              unconfigured gate's internal port accepts nobody
 * @param limits                what one client connection may cost the gate: output buffers, wait-ACK
 *                              bytes, request budgets, unauthenticated connections per address
 *                              (default {@link GateLimits#defaults()})
 * @param tls                   TLS on the client TCP and WebSocket ports ({@code tls.*}, shared with the account
 *                              API and the LSB; default {@link TlsConfig#DISABLED}); the internal port is not
 *                              affected
 * @param transport             the listeners' socket layer (default {@link GateTransport#AUTO}: native epoll on
 *                              Linux, the JDK's NIO elsewhere)
 */
public record GateConfig(
        String gateId,
        String advertisedHost,
        String bindAddress,
        int tcpPort,
        int wsPort,
        String wsPath,
        int internalPort,
        int maxFrameBytes,
        int internalMaxFrameBytes,
        Duration loginTimeout,
        Duration heartbeatInterval,
        int maxMissedHeartbeats,
        Duration registryRefresh,
        int bossThreads,
        int workerThreads,
        int maxConnections,
        Set<String> appIds,
        String grayTag,
        int capacity,
        String zone,
        Duration pushAckTimeout,
        int maxPushResends,
        int maxUnackedPushes,
        Duration routeRefresh,
        DevicePolicy devicePolicy,
        String internalBind,
        Duration internalHandshakeTimeout,
        Duration internalIdleTimeout,
        ClusterSecret clusterSecret,
        GateLimits limits,
        TlsConfig tls,
        GateTransport transport) {

    /** Gate ids end up in Redis values separated by '|', so they are kept to a safe alphabet. */
    private static final Pattern GATE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public GateConfig {
        require(gateId != null && GATE_ID.matcher(gateId).matches(),
                "gate.id must be 1-64 characters of [A-Za-z0-9._-], got '" + gateId + "'");
        require(advertisedHost != null && !advertisedHost.isBlank(), "gate.host must not be blank");
        require(bindAddress != null && !bindAddress.isBlank(), "gate.bind must not be blank");
        port("gate.tcp-port", tcpPort);
        port("gate.ws-port", wsPort);
        port("gate.internal-port", internalPort);
        require(wsPath != null && wsPath.startsWith("/"), "gate.ws-path must start with '/', got '" + wsPath + "'");
        range("gate.max-frame-bytes", maxFrameBytes, 1024, 16 << 20);
        range("gate.internal-max-frame-bytes", internalMaxFrameBytes, Math.max(16 << 10, 2 * maxFrameBytes), 16 << 20);
        positive("gate.login-timeout", loginTimeout);
        positive("gate.heartbeat", heartbeatInterval);
        require(heartbeatInterval.toSeconds() >= 1 && heartbeatInterval.toSeconds() <= 3600,
                "gate.heartbeat must be 1 s..1 h (clients are told whole seconds), got " + heartbeatInterval);
        range("gate.max-missed-heartbeats", maxMissedHeartbeats, 1, 100);
        positive("gate.registry-refresh", registryRefresh);
        range("GateConfig.bossThreads (set in code, no YAML key)", bossThreads, 0, 64);
        range("gate.worker-threads", workerThreads, 0, 1024);
        range("gate.max-connections", maxConnections, 1, 10_000_000);
        require(appIds != null, "gate.app-ids must not be null (empty = any app)");
        for (String appId : appIds) {
            require(TokenClaims.validAppId(appId),
                    "gate.app-ids entries must be " + TokenClaims.APP_ID_RULE + ", got '" + appId + "'");
        }
        appIds = Set.copyOf(appIds);
        grayTag = grayTag == null ? "" : grayTag;
        require(capacity >= 0 && capacity <= maxConnections, "gate.capacity must be 1.." + maxConnections
                + " (gate.max-connections: a gate cannot be sized for more than it admits), or unset to use"
                + " gate.max-connections, got " + capacity);
        zone = zone == null ? "" : zone.strip();
        require(zone.isEmpty() || ZONE.matcher(zone).matches(),
                "gate.zone must be 1-64 characters of [A-Za-z0-9._-] or unset, got '" + zone + "'");
        between("gate.push-ack-timeout", pushAckTimeout, Duration.ofMillis(100), Duration.ofSeconds(60));
        range("gate.max-push-resends", maxPushResends, 0, 10);
        range("gate.max-unacked-pushes", maxUnackedPushes, 1, 100_000);
        between("gate.route-refresh", routeRefresh, Duration.ofMillis(100), Duration.ofHours(1));
        require(devicePolicy != null, "gate.device-policy must not be null (default: DevicePolicy.MULTI_DEVICE)");
        require(internalBind != null && !internalBind.isBlank(), "gate.internal-bind must not be blank");
        between("gate.internal-handshake-timeout", internalHandshakeTimeout, Duration.ofMillis(100),
                Duration.ofSeconds(60));
        between("gate.internal-idle-timeout", internalIdleTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
        require(clusterSecret != null, "cluster.secret must be set (at least 32 bytes, the same on gates and routers)");
        require(limits != null, "gate.limits must not be null (default: GateLimits.defaults())");
        require(tls != null, "tls must not be null (default: TlsConfig.DISABLED)");
        require(transport != null, "gate.transport must not be null (default: auto)");
    }

    /** The capacity published to the registry: {@code gate.capacity}, or {@code gate.max-connections} when unset. */
    public int effectiveCapacity() {
        return capacity == 0 ? maxConnections : capacity;
    }

    /** No read for this long closes a logged-in connection: missed heartbeats x interval. */
    public Duration idleTimeout() {
        return heartbeatInterval.multipliedBy(maxMissedHeartbeats);
    }

    /** A builder holding every default; {@code build()} draws a fresh gate id unless one was set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults with a fresh gate id. */
    public static GateConfig defaults() {
        return builder().build();
    }

    /** A builder starting from this configuration (same gate id). */
    public Builder toBuilder() {
        return new Builder()
                .gateId(gateId).advertisedHost(advertisedHost).bindAddress(bindAddress)
                .tcpPort(tcpPort).wsPort(wsPort).wsPath(wsPath).internalPort(internalPort)
                .maxFrameBytes(maxFrameBytes).internalMaxFrameBytes(internalMaxFrameBytes)
                .loginTimeout(loginTimeout).heartbeatInterval(heartbeatInterval)
                .maxMissedHeartbeats(maxMissedHeartbeats).registryRefresh(registryRefresh)
                .bossThreads(bossThreads).workerThreads(workerThreads).maxConnections(maxConnections)
                .appIds(appIds).grayTag(grayTag).capacity(capacity).zone(zone)
                .pushAckTimeout(pushAckTimeout).maxPushResends(maxPushResends).maxUnackedPushes(maxUnackedPushes)
                .routeRefresh(routeRefresh).devicePolicy(devicePolicy)
                .internalBind(internalBind).internalHandshakeTimeout(internalHandshakeTimeout)
                .internalIdleTimeout(internalIdleTimeout).clusterSecret(clusterSecret)
                .limits(limits).tls(tls).transport(transport);
    }

    /**
     * A gate id unique per start: host name (reduced to the id alphabet, at most 50 characters), a
     * dash and 6 random characters.
     */
    public static String newGateId() {
        String host = localHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        if (host.isEmpty()) {
            host = "gate";
        }
        if (host.length() > 50) {
            host = host.substring(0, 50);
        }
        return host + "-" + RandomSuffix.next();
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // Resolving our own name fails on some containers; the random suffix keeps ids unique.
            String env = System.getenv("HOSTNAME");
            return env == null ? "gate" : env;
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void port(String name, int value) {
        range(name, value, 0, 65535);
    }

    private static void range(String name, int value, int min, int max) {
        require(value >= min && value <= max, name + " must be " + min + ".." + max + ", got " + value);
    }

    private static void between(String name, Duration value, Duration min, Duration max) {
        require(value != null && value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
                name + " must be " + min.toMillis() + " ms.." + max.toMillis() + " ms, got " + value);
    }

    private static void positive(String name, Duration value) {
        require(value != null && !value.isNegative() && !value.isZero(), name + " must be a positive duration, got " + value);
    }

    /** Lower-case letters and digits from a SecureRandom; holds no mutable state of its own. */
    private static final class RandomSuffix {
        private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
        private static final SecureRandom RANDOM = new SecureRandom();

        static String next() {
            StringBuilder sb = new StringBuilder(6);
            for (int i = 0; i < 6; i++) {
                sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            return sb.toString();
        }
    }

    /** Mutable collector of settings; not thread-safe. Defaults are the values documented on the record. */
    public static final class Builder {
        private String gateId;
        private String advertisedHost = "127.0.0.1";
        private String bindAddress = "0.0.0.0";
        private int tcpPort = 7000;
        private int wsPort = 7001;
        private String wsPath = "/ws";
        private int internalPort = 7002;
        private int maxFrameBytes = 65536;
        private int internalMaxFrameBytes = 256 << 10;
        private Duration loginTimeout = Duration.ofSeconds(5);
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private int maxMissedHeartbeats = 3;
        private Duration registryRefresh = Duration.ofSeconds(3);
        private int bossThreads = 1;
        private int workerThreads = 0;
        private int maxConnections = 200_000;
        private Set<String> appIds = Set.of();
        private String grayTag = "";
        private int capacity;
        private String zone = "";
        private Duration pushAckTimeout = Duration.ofSeconds(5);
        private int maxPushResends = 3;
        private int maxUnackedPushes = 1000;
        private Duration routeRefresh = Duration.ofSeconds(30);
        private DevicePolicy devicePolicy = DevicePolicy.MULTI_DEVICE;
        private String internalBind = "127.0.0.1";
        private Duration internalHandshakeTimeout = Duration.ofSeconds(5);
        private Duration internalIdleTimeout = Duration.ofSeconds(120);
        private ClusterSecret clusterSecret;
        private GateLimits limits = GateLimits.defaults();
        private TlsConfig tls = TlsConfig.DISABLED;
        private GateTransport transport = GateTransport.AUTO;

        private Builder() {
        }

        /** A fixed id; leave unset to get a fresh {@link #newGateId()} on every build. */
        public Builder gateId(String v) { this.gateId = v; return this; }
        public Builder advertisedHost(String v) { this.advertisedHost = v; return this; }
        public Builder bindAddress(String v) { this.bindAddress = v; return this; }
        public Builder tcpPort(int v) { this.tcpPort = v; return this; }
        public Builder wsPort(int v) { this.wsPort = v; return this; }
        public Builder wsPath(String v) { this.wsPath = v; return this; }
        public Builder internalPort(int v) { this.internalPort = v; return this; }
        public Builder maxFrameBytes(int v) { this.maxFrameBytes = v; return this; }
        public Builder internalMaxFrameBytes(int v) { this.internalMaxFrameBytes = v; return this; }
        public Builder loginTimeout(Duration v) { this.loginTimeout = v; return this; }
        public Builder heartbeatInterval(Duration v) { this.heartbeatInterval = v; return this; }
        public Builder maxMissedHeartbeats(int v) { this.maxMissedHeartbeats = v; return this; }
        public Builder registryRefresh(Duration v) { this.registryRefresh = v; return this; }
        public Builder bossThreads(int v) { this.bossThreads = v; return this; }
        public Builder workerThreads(int v) { this.workerThreads = v; return this; }
        public Builder maxConnections(int v) { this.maxConnections = v; return this; }
        public Builder appIds(Set<String> v) { this.appIds = Objects.requireNonNull(v, "appIds"); return this; }
        public Builder grayTag(String v) { this.grayTag = v; return this; }
        /** Connections this gate is sized for; 0 = {@code maxConnections}. */
        public Builder capacity(int v) { this.capacity = v; return this; }
        public Builder zone(String v) { this.zone = v; return this; }
        public Builder pushAckTimeout(Duration v) { this.pushAckTimeout = v; return this; }
        public Builder maxPushResends(int v) { this.maxPushResends = v; return this; }
        public Builder maxUnackedPushes(int v) { this.maxUnackedPushes = v; return this; }
        public Builder routeRefresh(Duration v) { this.routeRefresh = v; return this; }
        public Builder devicePolicy(DevicePolicy v) { this.devicePolicy = v; return this; }
        public Builder internalBind(String v) { this.internalBind = v; return this; }
        public Builder internalHandshakeTimeout(Duration v) { this.internalHandshakeTimeout = v; return this; }
        public Builder internalIdleTimeout(Duration v) { this.internalIdleTimeout = v; return this; }
        /** The cluster secret; leave unset for a random one (nobody can connect to the internal port). */
        public Builder clusterSecret(ClusterSecret v) { this.clusterSecret = v; return this; }
        public Builder limits(GateLimits v) { this.limits = v; return this; }
        public Builder tls(TlsConfig v) { this.tls = v; return this; }
        public Builder transport(GateTransport v) { this.transport = v; return this; }

        /** Validates and returns the configuration; throws IllegalArgumentException naming a bad setting. */
        public GateConfig build() {
            return new GateConfig(gateId == null ? newGateId() : gateId, advertisedHost, bindAddress, tcpPort,
                    wsPort, wsPath, internalPort, maxFrameBytes, internalMaxFrameBytes, loginTimeout,
                    heartbeatInterval, maxMissedHeartbeats, registryRefresh, bossThreads, workerThreads,
                    maxConnections, appIds, grayTag, capacity, zone, pushAckTimeout, maxPushResends, maxUnackedPushes,
                    routeRefresh, devicePolicy, internalBind, internalHandshakeTimeout, internalIdleTimeout,
                    clusterSecret == null ? ClusterSecret.random() : clusterSecret, limits, tls, transport);
        }
    }
}
