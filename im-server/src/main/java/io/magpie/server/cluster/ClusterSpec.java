package io.magpie.server.cluster;

import java.util.List;
import java.util.Objects;

/**
 * What {@code magpie cluster} starts: how many processes of each role, where the public listeners bind,
 * the fixed ports a client finds without being told (the LSB's, and the account API of {@code logic-1};
 * further logic processes take free ports), and the JVM options of every role process.
 *
 * @param gates          gate processes, 1..{@value #MAX_PER_ROLE}
 * @param logic          logic processes, 1..{@value #MAX_PER_ROLE}
 * @param routers        router processes, 1..{@value #MAX_PER_ROLE}
 * @param notifier       whether one push-notification worker runs
 * @param bind           address of the public listeners (gates' client ports, account API, LSB)
 * @param lsbPort        the LSB's port, 0..65535 (0 = a free one)
 * @param accountApiPort the account API port of {@code logic-1}, 0..65535 (0 = a free one)
 * @param javaOptions    JVM options of each role process (e.g. {@code -Xmx256m})
 */
public record ClusterSpec(int gates, int logic, int routers, boolean notifier, String bind, int lsbPort,
        int accountApiPort, List<String> javaOptions) {

    public static final int MAX_PER_ROLE = 16;
    /** JVM options of a role process unless {@code MAGPIE_CLUSTER_JAVA_OPTS} says otherwise: small and quick to start. */
    public static final List<String> DEFAULT_JAVA_OPTIONS = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    public ClusterSpec {
        count("--gates", gates);
        count("--logic", logic);
        count("--routers", routers);
        Objects.requireNonNull(bind, "bind");
        port("lsb.port", lsbPort);
        port("logic.http-port", accountApiPort);
        javaOptions = List.copyOf(javaOptions);
    }

    private static void count(String option, int n) {
        if (n < 1 || n > MAX_PER_ROLE) {
            throw new IllegalArgumentException(option + " must be 1.." + MAX_PER_ROLE + ", got " + n
                    + "; a local cluster of more processes than that would not fit one machine's memory");
        }
    }

    private static void port(String key, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(key + " must be 0..65535, got " + port);
        }
    }

    /** {@code MAGPIE_CLUSTER_JAVA_OPTS} split on white space, or {@link #DEFAULT_JAVA_OPTIONS} when unset or blank. */
    public static List<String> javaOptions(String fromEnvironment) {
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            return DEFAULT_JAVA_OPTIONS;
        }
        return List.of(fromEnvironment.strip().split("\\s+"));
    }
}
