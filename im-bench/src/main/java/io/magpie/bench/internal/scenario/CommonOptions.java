package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.DurabilityProbe;
import io.magpie.bench.internal.load.HopProbe;
import io.magpie.bench.internal.report.Durability;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Transport;
import io.magpie.protocol.tls.ClientTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every scenario shares: where the server is, the run id, where reports go, set-up limits. */
public final class CommonOptions {

    @Option(names = "--account-url", defaultValue = "http://127.0.0.1:8081", paramLabel = "URL",
            description = "account API base URL (default: ${DEFAULT-VALUE})")
    URI accountUrl;

    @Option(names = "--lsb-url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "LSB base URL (default: ${DEFAULT-VALUE})")
    URI lsbUrl;

    @Option(names = "--transport", defaultValue = "TCP", paramLabel = "TCP|WEBSOCKET",
            description = "client transport (default: ${DEFAULT-VALUE})")
    Transport transport;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "names this run's users bench_<ID>_<n>: 1-8 of [a-z0-9] (default: random)")
    String runId;

    @Option(names = "--results-dir", defaultValue = "bench-results", paramLabel = "DIR",
            description = "where the Markdown report and the plot go (default: ${DEFAULT-VALUE})")
    Path resultsDir;

    @Option(names = "--server-pid", defaultValue = "0", paramLabel = "PID",
            description = "the server JVM on this machine: its CPU, GC time and RSS (and its children's CPU:"
                    + " embedded MariaDB, redis-server) go into the report (default: not watched)")
    long serverPid;

    @Option(names = "--hops-url", defaultValue = "http://127.0.0.1:8090/debug/hops", split = ",", paramLabel = "URL",
            description = "the gates' hop latencies (GET /debug/hops on a gate process's health listener, comma"
                    + " separated for several gates), reset when the measured window opens and printed when it closes;"
                    + " 'none' = no breakdown (default: ${DEFAULT-VALUE}, a standalone started with"
                    + " MAGPIE_HEALTH_PORT=8090)")
    List<String> hopsUrls;

    @Option(names = "--client-threads", paramLabel = "N",
            description = "Netty event loop threads shared by all bench clients (default: cores)")
    Integer clientThreads;

    @Option(names = "--setup-parallelism", defaultValue = "32", paramLabel = "N",
            description = "registrations, logins and connects in flight during set-up (default: ${DEFAULT-VALUE})")
    int setupParallelism;

    @Option(names = "--setup-timeout", defaultValue = "10m", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "limit of each set-up phase (default: ${DEFAULT-VALUE})")
    Duration setupTimeout;

    @Option(names = "--request-timeout", defaultValue = "10s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "SEND_ACK / LOGIN_ACK / HTTP timeout (default: ${DEFAULT-VALUE})")
    Duration requestTimeout;

    @Option(names = "--trust", paramLabel = "PEM",
            description = "trust only the certificates in this PEM file on https:// URLs and TLS gates (e.g. the"
                    + " cert.pem of 'magpie standalone --tls'); default: the JDK's trust store")
    Path trust;

    @Option(names = "--metrics-url", defaultValue = "http://127.0.0.1:8090/metrics", paramLabel = "URL",
            description = "the server's Prometheus /metrics (a process running logic): the MySQL durability"
                    + " (innodb_flush_log_at_trx_commit) the report states; 'unknown' when it does not answer"
                    + " (default: ${DEFAULT-VALUE}, the standalone's with MAGPIE_HEALTH_PORT=8090)")
    URI metricsUrl;

    private String resolvedRunId;
    private Durability durability;
    private ClientTls clientTls;

    /** The run id, validated, generated once when not given. */
    public String runId() {
        if (resolvedRunId == null) {
            if (runId == null) {
                String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
                SecureRandom r = new SecureRandom();
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < 6; i++) {
                    b.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                resolvedRunId = b.toString();
            } else if (!runId.matches("[a-z0-9]{1,8}")) {
                throw new IllegalArgumentException("--run-id must be 1-8 characters of [a-z0-9], got '" + runId + "'");
            } else {
                resolvedRunId = runId;
            }
        }
        return resolvedRunId;
    }

    public int clientThreads() {
        int n = clientThreads == null ? Runtime.getRuntime().availableProcessors() : clientThreads;
        if (n < 1 || n > 256) {
            throw new IllegalArgumentException("--client-threads must be 1..256, got " + n);
        }
        return n;
    }

    public void validate() {
        if (setupParallelism < 1 || setupParallelism > 10_000) {
            throw new IllegalArgumentException("--setup-parallelism must be 1..10000, got " + setupParallelism);
        }
        runId();
        clientThreads();
    }

    /** Client settings for bench clients (automatic reconnect off unless a scenario turns it on). */
    public ClientConfig.Builder clientConfig() {
        return ClientConfig.builder()
                .accountApiUrl(accountUrl)
                .lsbUrl(lsbUrl)
                .transport(transport)
                .clientVersion("magpie-bench")
                .requestTimeout(requestTimeout)
                .tls(clientTls())
                .autoReconnect(false);
    }

    /** The trust of every bench client, read once: {@code --trust}, else the JDK's trust store. */
    public synchronized ClientTls clientTls() {
        if (clientTls == null) {
            clientTls = ClientTls.trusting(trust);
        }
        return clientTls;
    }

    /** The hop latency probe of {@code --hops-url}. */
    public HopProbe hopProbe() {
        List<URI> urls = new ArrayList<>();
        if (hopsUrls != null) {
            for (String u : hopsUrls) {
                if (!u.isBlank() && !u.strip().equals("none")) {
                    urls.add(URI.create(u.strip()));
                }
            }
        }
        return new HopProbe(urls, httpClient());
    }

    /** The server's MySQL durability, asked once (at the first call) from {@code --metrics-url}. */
    public synchronized Durability durability() {
        if (durability == null) {
            durability = DurabilityProbe.probe(httpClient(), metricsUrl, Duration.ofSeconds(5));
        }
        return durability;
    }

    public AccountClient accountClient() {
        return new AccountClient(accountUrl, httpClient(), requestTimeout);
    }

    public HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(clientTls().jdkContext()).build();
    }
}
