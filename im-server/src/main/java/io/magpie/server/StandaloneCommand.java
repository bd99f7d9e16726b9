package io.magpie.server;

import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import io.magpie.testkit.Infrastructure;
import io.magpie.testkit.InfrastructureConfig;
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

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "optional YAML configuration (sample: deploy/config/standalone.yaml)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the embedded servers keep binaries and data (default: ${DEFAULT-VALUE})",
            defaultValue = "${sys:user.home}/.magpie/standalone")
    Path dataDir;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Map<String, String> env = System.getenv();
        ConfigTree tree = ConfigTree.load(config, roleEnvironment(env));
        Path dir = new Settings(tree).infraDataDir(dataDir);
        Infrastructure infra = Infrastructure.start(InfrastructureConfig.fromEnvironment(env).withDataDir(dir));
        MagpieNode node;
        try {
            fillFromInfrastructure(tree, infra, dir);
            node = MagpieNode.start(new Settings(tree), EnumSet.allOf(MagpieNode.Role.class), Clock.systemUTC());
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        long readyMs = (System.nanoTime() - t0) / 1_000_000;
        var gate = node.gate();
        log.info("[standalone] ready in {} ms: {}", readyMs, infra.describe());
        System.out.printf("""

                Magpie standalone is ready (%d ms).
                  account API  http://127.0.0.1:%d   (POST /v1/accounts, POST /v1/sessions)
                  LSB          http://127.0.0.1:%d   (GET /v1/gate)
                  gate         tcp 127.0.0.1:%d, ws://127.0.0.1:%d%s
                Try it:  ./magpie chat --user alice --password alice-secret --to bob
                Stop it: Ctrl-C

                """, readyMs, node.accountApiPort(), node.lsbPort(), gate.tcpPort(), gate.wsPort(), gate.wsPath());
        ProcessLifecycle.runUntilStopped("standalone", node, infra);
        return 0;
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
        values.put("auth.token-secret", standaloneSecret(dataDir));
        values.forEach(tree::setDefault);
    }

    /** A random token secret kept in the data dir, so tokens survive a restart of standalone mode. */
    private static String standaloneSecret(Path dataDir) {
        Path file = dataDir.resolve("token-secret");
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
            throw new UncheckedIOException("cannot read or create the standalone token secret " + file, e);
        }
    }
}
