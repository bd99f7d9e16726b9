package io.magpie.server;

import io.magpie.engines.Infrastructure;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code magpie engines}: only MySQL, Redis and Kafka, started exactly as {@code magpie standalone} starts them (same
 * data dir and secrets by default), for roles started by hand from {@code magpie-roles.jar}. Prints the
 * {@code MAGPIE_*} variables those roles need and writes them to {@code <data-dir>/engines.env}; SIGINT and SIGTERM
 * stop the servers.
 */
@Command(name = "engines", mixinStandardHelpOptions = true,
        description = "Run only MariaDB, Redis and Kafka as standalone does (unless MAGPIE_MYSQL_URL / MAGPIE_REDIS_URL"
                + " / MAGPIE_KAFKA_BOOTSTRAP name existing ones) and print the MAGPIE_* variables that roles started"
                + " by hand (java -jar magpie-roles.jar <role> --config FILE) need to use them.")
final class EnginesCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(EnginesCommand.class);
    /** The role settings a hand-started role takes from here: the servers and the shared secrets. */
    static final List<String> ROLE_KEYS = List.of("mysql.url", "mysql.user", "mysql.password", "redis.uri",
            "kafka.bootstrap", "kafka.partitions", "auth.token-secret", "cluster.secret");
    static final String ENV_FILE = "engines.env";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "optional YAML configuration, read as standalone reads it (infra.*; a printed key set"
                    + " there, e.g. auth.token-secret, is printed with its value)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the embedded servers' binaries and data and the secrets (default: ${DEFAULT-VALUE},"
                    + " standalone's, so its accounts and messages are there)",
            defaultValue = "${sys:user.home}/.magpie/standalone")
    Path dataDir;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Map<String, String> env = System.getenv();
        ConfigTree tree = ConfigTree.load(config, StandaloneCommand.roleEnvironment(env));
        Settings settings = new Settings(tree);
        Path dir = settings.infraDataDir(dataDir);
        ProcessLifecycle lifecycle = ProcessLifecycle.install("engines");
        Infrastructure infra = StandaloneCommand.startEngines(lifecycle, env, dir,
                settings.infraMysqlFlushLogAtTrxCommit());
        StandaloneCommand.fillFromInfrastructure(tree, infra, dir);
        Map<String, String> variables = roleVariables(tree);
        Path envFile = writeEnvFile(dir.resolve(ENV_FILE), variables);
        long readyMs = (System.nanoTime() - t0) / 1_000_000;
        log.info("[engines] ready in {} ms: {}", readyMs, infra.describe());
        System.out.print(banner(readyMs, variables, envFile));
        System.out.flush();
        lifecycle.awaitStop();
        return 0;
    }

    /** {@code MAGPIE_MYSQL_URL} etc. (the role keys' environment names) with what this process connected to. */
    static Map<String, String> roleVariables(ConfigTree tree) {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String key : ROLE_KEYS) {
            variables.put(ConfigTree.envName(key), tree.string(key, ""));
        }
        return variables;
    }

    /** {@code export NAME='value'} lines a POSIX shell reads back exactly (a ' in a value is closed and escaped). */
    static String exports(Map<String, String> variables) {
        StringBuilder lines = new StringBuilder();
        variables.forEach((name, value) -> lines.append("export ").append(name).append("='")
                .append(value.replace("'", "'\\''")).append("'\n"));
        return lines.toString();
    }

    static String banner(long readyMs, Map<String, String> variables, Path envFile) {
        return """

                Magpie engines are ready (%d ms): MySQL, Redis and Kafka for roles started by hand.
                Start a role with these variables (they override the same keys of its config file):

                %s
                They are in %s too:  set -a; . %s; set +a
                Then, e.g.:  java -jar magpie-roles.jar gate --config deploy/config/gate.yaml
                The ports are picked at each start: source the file again after a restart.
                Stop them: Ctrl-C (stop the roles first)

                """.formatted(readyMs, exports(variables).indent(2).stripTrailing(), envFile, envFile);
    }

    /** The variables as shell lines, readable by the owner only: they hold the token and cluster secrets. */
    private static Path writeEnvFile(Path file, Map<String, String> variables) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "# magpie engines: the servers and secrets of the running engines\n"
                    + exports(variables), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the engines' variables to " + file, e);
        }
    }
}
