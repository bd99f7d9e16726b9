package io.magpie.server;

import io.magpie.server.config.BindAddress;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.InfrastructureConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code magpie standalone}: every role in one JVM. MySQL, Redis and Kafka are the operator's when
 * {@code MAGPIE_MYSQL_URL} / {@code MAGPIE_REDIS_URL} / {@code MAGPIE_KAFKA_BOOTSTRAP} name them,
 * otherwise an embedded MariaDB, redis-server and Kafka broker started here, with data under
 * {@code --data-dir}.
 */
@Command(name = "standalone", mixinStandardHelpOptions = true,
        description = "Run every role in one JVM, starting MariaDB, Redis and Kafka itself unless "
                + "MAGPIE_MYSQL_URL / MAGPIE_REDIS_URL / MAGPIE_KAFKA_BOOTSTRAP name existing ones.")
final class StandaloneCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(StandaloneCommand.class);
    static final String DATABASE = "magpie";
    static final String LOOPBACK = "127.0.0.1";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "optional YAML configuration (sample: deploy/config/standalone.yaml)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the embedded servers keep binaries and data (default: ${DEFAULT-VALUE})",
            defaultValue = "${sys:user.home}/.magpie/standalone")
    Path dataDir;

    @Option(names = "--tls",
            description = "serve TLS on the gate's client ports, the account API and the LSB; unless tls.cert-file"
                    + " and tls.key-file are configured, with a self-signed certificate for localhost/127.0.0.1"
                    + " created in <data-dir>/tls on first use (its cert.pem is the clients' trust file)")
    boolean tls;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = LOOPBACK,
            description = "address the client TCP/WebSocket ports, the account API and the LSB listen on"
                    + " (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 = every interface). The gate's"
                    + " internal push port stays on loopback unless gate.internal-bind says otherwise."
                    + " gate.bind, logic.http-host and lsb.host in the file or environment win over it.")
    String bind;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Map<String, String> env = System.getenv();
        ConfigTree tree = ConfigTree.load(config, roleEnvironment(env));
        Path dir = new Settings(tree).infraDataDir(dataDir);
        int flushLogAtTrxCommit = new Settings(tree).infraMysqlFlushLogAtTrxCommit();
        // one ordered stop, on SIGINT and SIGTERM alike: the roles first, then the servers they use
        ProcessLifecycle lifecycle = ProcessLifecycle.install("standalone");
        Infrastructure infra = startEngines(lifecycle, env, dir, flushLogAtTrxCommit);
        MagpieNode node;
        try {
            fillFromInfrastructure(tree, infra, dir);
            bindListeners(tree, bind);
            if (tls) {
                useTls(tree, dir);
            }
            Settings configured = new Settings(tree);
            pointWebChatAtLsb(tree, configured.tls().enabled() ? "https" : "http", configured.lsb().host(),
                    configured.lsb().httpPort());
            node = MagpieNode.start(new Settings(tree), EnumSet.allOf(MagpieNode.Role.class), Clock.systemUTC());
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        lifecycle.add(node);
        long readyMs = (System.nanoTime() - t0) / 1_000_000;
        var gate = node.gate();
        log.info("[standalone] ready in {} ms: {}", readyMs, infra.describe());
        var tlsConfig = new Settings(tree).tls();
        boolean secure = tlsConfig.enabled();
        String http = secure ? "https" : "http";
        String chatTls = secure ? "--tls --trust " + tlsConfig.certFile() + " " : "";
        Settings settings = new Settings(tree);
        // the banner names what was really bound: a wildcard is reachable locally on loopback
        String api = BindAddress.reachable(settings.logic().httpHost());
        String lsbHost = BindAddress.reachable(settings.lsb().host());
        String gateHost = BindAddress.reachable(gate.config().bindAddress());
        System.out.printf("""

                Magpie standalone is ready (%d ms).
                  account API  %s://%s:%d   (POST /v1/accounts, POST /v1/sessions)
                  LSB          %s://%s:%d   (GET /v1/gate)
                %s  gate         %s %s:%d, %s://%s:%d%s
                  listening on %s%s; gate internal port %s:%d (routers only)
                %sTry it:  ./magpie chat %s--user alice --password alice-secret --to bob
                Stop it: Ctrl-C

                """, readyMs, http, api, node.accountApiPort(), http, lsbHost, node.lsbPort(),
                node.servesWebChat() ? "  web chat     " + http + "://" + api + ":" + node.accountApiPort()
                        + "/chat/   (open it in a browser)\n" : "",
                secure ? "tcp+tls" : "tcp", gateHost, gate.tcpPort(), secure ? "wss" : "ws", gateHost, gate.wsPort(),
                gate.wsPath(), gate.config().bindAddress(), LOOPBACK.equals(gate.config().bindAddress())
                        ? " (this machine only; --bind 0.0.0.0 to accept other hosts)" : "",
                gate.config().internalBind(), gate.internalPort(),
                secure ? "  TLS trust file (certificate to trust): " + tlsConfig.certFile() + "\n" : "", chatTls);
        lifecycle.awaitStop();
        return 0;
    }

    /**
     * MySQL, Redis and Kafka (the operator's, or embedded ones with data under {@code dataDir}), stopped by
     * {@code lifecycle} after what is added to it later (the roles), not by a shutdown hook of their own.
     * An embedded MariaDB runs with {@code innodb_flush_log_at_trx_commit=flushLogAtTrxCommit}
     * ({@code infra.mysql-flush-log-at-trx-commit}); the ready line states it.
     */
    static Infrastructure startEngines(ProcessLifecycle lifecycle, Map<String, String> env, Path dataDir,
                                       int flushLogAtTrxCommit) {
        Infrastructure infra = Infrastructure.start(InfrastructureConfig.fromEnvironment(env).withDataDir(dataDir)
                .withMysqlFlushLogAtTrxCommit(flushLogAtTrxCommit));
        infra.detachShutdownHook();
        lifecycle.add(infra);
        return infra;
    }

    /**
     * The environment as the roles' settings see it: without the variables that name the servers
     * standalone connects to ({@code MAGPIE_MYSQL_URL} names a MySQL <em>server</em> here, while the
     * role key {@code mysql.url} it would otherwise override is a database URL). {@link Infrastructure}
     * reads those, and {@link #fillFromInfrastructure} hands the roles what it connected to.
     */
    static Map<String, String> roleEnvironment(Map<String, String> env) {
        Map<String, String> roles = new HashMap<>(env);
        roles.keySet().removeAll(List.of(InfrastructureConfig.ENV_MYSQL_URL, InfrastructureConfig.ENV_MYSQL_USER,
                InfrastructureConfig.ENV_MYSQL_PASSWORD, InfrastructureConfig.ENV_KAFKA_BOOTSTRAP));
        return roles;
    }

    /** Points the roles at the servers {@code infra} runs, unless the file or environment already did. */
    static void fillFromInfrastructure(ConfigTree tree, Infrastructure infra, Path dataDir) {
        Map<String, String> values = new HashMap<>();
        values.put("mysql.url", infra.jdbcUrl(DATABASE));
        values.put("mysql.user", infra.mysqlUser());
        values.put("mysql.password", infra.mysqlPassword());
        values.put("redis.uri", infra.redisUri());
        values.put("kafka.bootstrap", infra.kafkaBootstrap());
        values.put("kafka.partitions", "4");
        values.put("auth.token-secret", standaloneSecret(dataDir, "token-secret"));
        values.put("cluster.secret", standaloneSecret(dataDir, "cluster-secret"));
        // uploaded media beside the embedded servers' data (every logic process of a local cluster shares it)
        values.put("media.local.dir", dataDir.resolve("media").toString());
        values.forEach(tree::setDefault);
    }

    /**
     * Every public listener on {@code address} (loopback by default) unless the file or environment set
     * it; a specific address is also what the gate advertises. The internal port keeps its own
     * {@code gate.internal-bind} (loopback by default): standalone's router is in the same process.
     */
    static void bindListeners(ConfigTree tree, String address) {
        tree.setDefault("gate.bind", address);
        tree.setDefault("logic.http-host", address);
        tree.setDefault("lsb.host", address);
        tree.setDefault("health.bind", address); // the health listener follows: loopback unless told otherwise
        if (!BindAddress.isWildcard(address)) {
            tree.setDefault("gate.host", address);
        }
    }


    /**
     * Tells the web chat page (served by the account API) where the LSB is, unless {@code web.lsb-url} is set: on
     * the address a browser on this machine reaches. With a wildcard bind, other hosts' browsers need
     * {@code web.lsb-url} naming this host as they reach it. Nothing when the LSB port is picked at start (0).
     */
    static void pointWebChatAtLsb(ConfigTree tree, String scheme, String lsbHost, int lsbPort) {
        if (lsbPort > 0) {
            tree.setDefault("web.lsb-url", scheme + "://" + BindAddress.reachable(lsbHost) + ":" + lsbPort);
        }
    }

    /**
     * Turns TLS on; unless the configuration names a certificate, uses the self-signed one in the data
     * dir (created on first use).
     */
    static void useTls(ConfigTree tree, Path dataDir) {
        tree.setDefault("tls.enabled", "true");
        if (!tree.has("tls.cert-file") && !tree.has("tls.key-file")) {
            StandaloneCertificate cert = StandaloneCertificate.ensure(dataDir, Clock.systemUTC());
            log.info("[standalone] TLS with the self-signed certificate {} ({}); clients trust it with --trust {}",
                    cert.certFile(), cert.created() ? "created now" : "reused", cert.certFile());
            tree.setDefault("tls.cert-file", cert.certFile().toString());
            tree.setDefault("tls.key-file", cert.keyFile().toString());
        }
    }

    /**
     * A random secret kept in the data dir (the token secret, so tokens survive a restart of standalone
     * mode, and the cluster secret), one file each, so the two never coincide.
     */
    private static String standaloneSecret(Path dataDir, String name) {
        Path file = dataDir.resolve(name);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
            Files.createDirectories(dataDir);
            Files.writeString(file, secret, StandardCharsets.UTF_8);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the standalone secret " + file, e);
        }
    }
}
