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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every scenario shares: where the server is, the run id, where reports go, set-up limits. */
public final class CommonOptions {

    @Mixin
    ServerOptions server = new ServerOptions();

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
                .accountApiUrl(server.accountUrl)
                .lsbUrl(server.lsbUrl)
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
        return new HopProbe(server.hopUrls(), httpClient());
    }

    /** The server's MySQL durability, asked once (at the first call) from {@code --metrics-url}. */
    public synchronized Durability durability() {
        if (durability == null) {
            durability = DurabilityProbe.probe(httpClient(), server.metricsUrl, Duration.ofSeconds(5));
        }
        return durability;
    }

    public AccountClient accountClient() {
        return new AccountClient(server.accountUrl, httpClient(), requestTimeout);
    }

    public HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(clientTls().jdkContext()).build();
    }
}
