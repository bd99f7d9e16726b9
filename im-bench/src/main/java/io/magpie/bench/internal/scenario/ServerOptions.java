package io.magpie.bench.internal.scenario;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where the server under test answers: its account API and LSB, and the health listener's {@code /metrics}
 * (the MySQL durability) and {@code /debug/hops} (hop latencies). Shared by every scenario and the guard,
 * which hands them on to its steps ({@link #toArgs}).
 */
public final class ServerOptions {

    @Option(names = "--account-url", defaultValue = "http://127.0.0.1:8081", paramLabel = "URL",
            description = "account API base URL (default: ${DEFAULT-VALUE})")
    URI accountUrl;

    @Option(names = "--lsb-url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "LSB base URL (default: ${DEFAULT-VALUE})")
    URI lsbUrl;

    @Option(names = "--metrics-url", defaultValue = "http://127.0.0.1:8090/metrics", paramLabel = "URL",
            description = "the server's Prometheus /metrics (a process running logic): the MySQL durability"
                    + " (innodb_flush_log_at_trx_commit) the report states; 'unknown' when it does not answer"
                    + " (default: ${DEFAULT-VALUE}, the standalone's with MAGPIE_HEALTH_PORT=8090)")
    URI metricsUrl;

    @Option(names = "--hops-url", defaultValue = "http://127.0.0.1:8090/debug/hops", split = ",", paramLabel = "URL",
            description = "the gates' hop latencies (GET /debug/hops on a gate process's health listener, comma"
                    + " separated for several gates), reset when the measured window opens and printed when it closes;"
                    + " 'none' = no breakdown (default: ${DEFAULT-VALUE}, a standalone started with"
                    + " MAGPIE_HEALTH_PORT=8090)")
    List<String> hopsUrls;

    /** The {@code --hops-url} URLs, without {@code none}. */
    public List<URI> hopUrls() {
        List<URI> urls = new ArrayList<>();
        if (hopsUrls != null) {
            for (String u : hopsUrls) {
                if (!u.isBlank() && !u.strip().equals("none")) {
                    urls.add(URI.create(u.strip()));
                }
            }
        }
        return urls;
    }

    /** These options as a command line, to hand to a scenario. */
    public List<String> toArgs() {
        return List.of("--account-url", accountUrl.toString(), "--lsb-url", lsbUrl.toString(),
                "--metrics-url", metricsUrl.toString(),
                "--hops-url", hopUrls().isEmpty() ? "none" : String.join(",", hopsUrls));
    }
}
