package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.floor.HopFloor;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where the hop floor's probes go ({@code bench hop-floor}, {@code bench guard}): the server's Kafka and MySQL,
 * both on loopback, as its {@code ready} line names them.
 */
public final class FloorServerOptions {

    @Option(names = "--kafka", paramLabel = "HOST:PORT",
            description = "the server's Kafka bootstrap address (loopback), from its 'ready' line")
    String kafka;

    @Option(names = "--mysql", paramLabel = "HOST:PORT",
            description = "the server's MySQL (loopback), from its 'ready' line; the standalone's embedded MariaDB"
                    + " takes any user")
    String mysql;

    @Option(names = "--mysql-user", defaultValue = "root", description = "MySQL user (default: ${DEFAULT-VALUE})")
    String mysqlUser;

    @Option(names = "--mysql-password", defaultValue = "", description = "MySQL password (default: none)")
    String mysqlPassword;

    /** Whether either address was given. */
    boolean given() {
        return kafka != null || mysql != null;
    }

    /**
     * The probes' settings.
     *
     * @throws IllegalArgumentException an address is missing, malformed or not loopback
     */
    HopFloor.Settings settings(int samples, int warmupSamples, Duration gap) {
        if (kafka == null || mysql == null) {
            throw new IllegalArgumentException("--kafka and --mysql are both needed (the server's addresses, from its"
                    + " 'ready' line); missing: " + (kafka == null ? "--kafka" : "--mysql"));
        }
        requireLoopback("--kafka", kafka);
        requireLoopback("--mysql", mysql);
        return new HopFloor.Settings(kafka, "jdbc:mysql://" + mysql + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                mysqlUser, mysqlPassword, samples, warmupSamples, gap);
    }

    /** Load tools aim at loopback only. */
    private static void requireLoopback(String option, String hostPort) {
        URI uri;
        try {
            uri = new URI("tcp://" + hostPort);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + hostPort + "'", e);
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException(option + " must be HOST:PORT with a port of 1..65535, got '" + hostPort
                    + "'");
        }
        try {
            if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException(option + " must be a loopback address (the load tool measures"
                        + " this machine only), got " + hostPort);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + ": unknown host " + uri.getHost(), e);
        }
    }
}
