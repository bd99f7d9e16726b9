package io.magpie.server.health;

import java.util.Objects;

/**
 * Where a process serves its health endpoints ({@code health.*}).
 *
 * @param enabled whether the listener starts (default true)
 * @param bind    address it binds (default {@value #DEFAULT_BIND}: probes come from the orchestrator;
 *                the answers carry no more than UP/DOWN per role)
 * @param port    0..65535 (default 0 = any free port, logged at start, so several processes on one
 *                host never collide; the sample files set {@value #SAMPLE_PORT} for probes)
 */
public record HealthConfig(boolean enabled, String bind, int port) {

    public static final String DEFAULT_BIND = "0.0.0.0";
    public static final int DEFAULT_PORT = 0;
    public static final int SAMPLE_PORT = 8090;

    public HealthConfig {
        Objects.requireNonNull(bind, "health.bind");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("health.port must be 0..65535, got " + port);
        }
    }

    public static HealthConfig defaults() {
        return new HealthConfig(true, DEFAULT_BIND, DEFAULT_PORT);
    }
}
