package io.magpie.lsb;

import io.magpie.http.CrossOrigin;
import io.magpie.protocol.tls.TlsConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the LSB role, validated once at construction; immutable.
 *
 * <p>Derived values (not separate settings, so they cannot contradict these): one registry read may
 * take at most {@link #registryReadTimeout()}; the role reports ready while its last successful
 * registry read is at most {@link #readinessStaleness()} old.
 *
 * @param httpPort             HTTP port to listen on, 0..65535; 0 picks a free ephemeral port. Default 8080.
 * @param registryPollInterval how often the gate registry is re-read, 100 ms..1 min. Default 1 s.
 * @param assignmentWindow     how long this LSB counts a gate it handed out against that gate (until
 *                             the gate reports a newer connection count), 1 s..10 min. Default 10 s.
 * @param gateReportMaxAge     a gate whose last registry report is older than this is chosen only when
 *                             no gate has a fresher one: it stopped reporting (killed, hung) but its
 *                             entry has not expired yet. Keep it above the gates' {@code
 *                             gate.registry-refresh} (3 s by default); 1 s..10 min. Default 5 s.
 * @param tls                  HTTPS instead of HTTP ({@code tls.*}, shared with the gate and the account API).
 *                             Default {@link TlsConfig#DISABLED}.
 * @param host                 address the HTTP port binds ({@code lsb.host}). Default {@code 0.0.0.0}: the LSB is a
 *                             public endpoint; {@code magpie standalone} binds loopback.
 * @param adminToken           bearer token of the admin surface ({@code /admin/...}, e.g. the full gate view with
 *                             internal ports), at least 16 characters; null (the default) turns the admin surface off
 * @param cors                 which web origins may call the LSB from a browser ({@code http.cors-origins}). Default
 *                             {@link CrossOrigin#ANY}: the web chat page is served from the account API's origin
 */
public record LsbConfig(int httpPort, Duration registryPollInterval, Duration assignmentWindow,
                        Duration gateReportMaxAge, TlsConfig tls, String host, String adminToken,
                        CrossOrigin cors) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    /** Shortest admin token accepted: a guessable one would open the operator view to anyone. */
    public static final int MIN_ADMIN_TOKEN_CHARS = 16;

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final Duration DEFAULT_REGISTRY_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_ASSIGNMENT_WINDOW = Duration.ofSeconds(10);
    public static final Duration DEFAULT_GATE_REPORT_MAX_AGE = Duration.ofSeconds(5);

    private static final Duration MIN_POLL = Duration.ofMillis(100);
    private static final Duration MAX_POLL = Duration.ofMinutes(1);
    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_WINDOW = Duration.ofMinutes(10);

    public LsbConfig {
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("lsb.port must be 0..65535 (0 = ephemeral), got " + httpPort);
        }
        Objects.requireNonNull(registryPollInterval, "lsb.poll-interval");
        Objects.requireNonNull(assignmentWindow, "lsb.assignment-window");
        Objects.requireNonNull(gateReportMaxAge, "lsb.gate-report-max-age");
        Objects.requireNonNull(tls, "tls (default TlsConfig.DISABLED)");
        if (host == null || host.isBlank()) {
            host = DEFAULT_HOST;
        }
        Objects.requireNonNull(cors, "cors (default CrossOrigin.ANY)");
        if (adminToken != null && adminToken.isBlank()) {
            adminToken = null;
        }
        if (adminToken != null && adminToken.length() < MIN_ADMIN_TOKEN_CHARS) {
            throw new IllegalArgumentException("lsb.admin-token must be at least " + MIN_ADMIN_TOKEN_CHARS
                    + " characters, got " + adminToken.length() + "; use a long random value, or leave it unset to"
                    + " turn the admin endpoints off");
        }
        if (registryPollInterval.compareTo(MIN_POLL) < 0 || registryPollInterval.compareTo(MAX_POLL) > 0) {
            throw new IllegalArgumentException("lsb.poll-interval must be between " + MIN_POLL + " and "
                    + MAX_POLL + ", got " + registryPollInterval);
        }
        if (assignmentWindow.compareTo(MIN_WINDOW) < 0 || assignmentWindow.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("lsb.assignment-window must be between " + MIN_WINDOW + " and "
                    + MAX_WINDOW + ", got " + assignmentWindow);
        }
        if (gateReportMaxAge.compareTo(MIN_WINDOW) < 0 || gateReportMaxAge.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("lsb.gate-report-max-age must be between " + MIN_WINDOW + " and "
                    + MAX_WINDOW + ", got " + gateReportMaxAge);
        }
    }

    /** Any web origin may call it. */
    public LsbConfig(int httpPort, Duration registryPollInterval, Duration assignmentWindow,
                     Duration gateReportMaxAge, TlsConfig tls, String host, String adminToken) {
        this(httpPort, registryPollInterval, assignmentWindow, gateReportMaxAge, tls, host, adminToken,
                CrossOrigin.ANY);
    }

    /** Plain HTTP. */
    public LsbConfig(int httpPort, Duration registryPollInterval, Duration assignmentWindow,
                     Duration gateReportMaxAge) {
        this(httpPort, registryPollInterval, assignmentWindow, gateReportMaxAge, TlsConfig.DISABLED, DEFAULT_HOST,
                null);
    }

    /** Every setting at its default. */
    public static LsbConfig defaults() {
        return new LsbConfig(DEFAULT_HTTP_PORT, DEFAULT_REGISTRY_POLL_INTERVAL, DEFAULT_ASSIGNMENT_WINDOW,
                DEFAULT_GATE_REPORT_MAX_AGE);
    }

    public LsbConfig withHttpPort(int port) {
        return new LsbConfig(port, registryPollInterval, assignmentWindow, gateReportMaxAge, tls, host, adminToken,
                cors);
    }

    public LsbConfig withRegistryPollInterval(Duration interval) {
        return new LsbConfig(httpPort, interval, assignmentWindow, gateReportMaxAge, tls, host, adminToken, cors);
    }

    public LsbConfig withAssignmentWindow(Duration window) {
        return new LsbConfig(httpPort, registryPollInterval, window, gateReportMaxAge, tls, host, adminToken, cors);
    }

    public LsbConfig withTls(TlsConfig tlsConfig) {
        return new LsbConfig(httpPort, registryPollInterval, assignmentWindow, gateReportMaxAge, tlsConfig, host,
                adminToken, cors);
    }

    public LsbConfig withHost(String bindHost) {
        return new LsbConfig(httpPort, registryPollInterval, assignmentWindow, gateReportMaxAge, tls, bindHost,
                adminToken, cors);
    }

    public LsbConfig withAdminToken(String token) {
        return new LsbConfig(httpPort, registryPollInterval, assignmentWindow, gateReportMaxAge, tls, host, token,
                cors);
    }

    public LsbConfig withCors(CrossOrigin origins) {
        return new LsbConfig(httpPort, registryPollInterval, assignmentWindow, gateReportMaxAge, tls, host, adminToken,
                origins);
    }

    /** Whether the admin endpoints are on ({@code lsb.admin-token} set). */
    public boolean adminEnabled() {
        return adminToken != null;
    }

    @Override
    public String toString() {
        return "LsbConfig[httpPort=" + httpPort + ", host=" + host + ", registryPollInterval=" + registryPollInterval
                + ", assignmentWindow=" + assignmentWindow + ", gateReportMaxAge=" + gateReportMaxAge + ", tls=" + tls
                + ", admin=" + (adminEnabled() ? "on" : "off") + ", cors=" + cors.origins() + "]";
    }

    /** Longest a single registry read may take before it counts as failed: the poll interval, at least 2 s. */
    public Duration registryReadTimeout() {
        Duration floor = Duration.ofSeconds(2);
        return registryPollInterval.compareTo(floor) < 0 ? floor : registryPollInterval;
    }

    /** Ready means a registry read succeeded within this: three poll intervals plus one read timeout. */
    public Duration readinessStaleness() {
        return registryPollInterval.multipliedBy(3).plus(registryReadTimeout());
    }
}
