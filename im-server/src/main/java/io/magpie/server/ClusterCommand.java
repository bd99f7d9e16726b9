package io.magpie.server;

import io.magpie.engines.Infrastructure;
import io.magpie.logic.LogicConfig;
import io.magpie.lsb.LsbConfig;
import io.magpie.server.cluster.ClusterBanner;
import io.magpie.server.cluster.ClusterLayout;
import io.magpie.server.cluster.ClusterSpec;
import io.magpie.server.cluster.ClusterSupervisor;
import io.magpie.server.cluster.ControlServer;
import io.magpie.server.cluster.ProcessView;
import io.magpie.server.cluster.RoleConfigWriter;
import io.magpie.server.cluster.RoleLauncher;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code magpie cluster}: a multi-process cluster on one machine. Starts MySQL, Redis and Kafka once in
 * this process exactly as {@code magpie standalone} does (or uses the servers {@code MAGPIE_MYSQL_URL} /
 * {@code MAGPIE_REDIS_URL} / {@code MAGPIE_KAFKA_BOOTSTRAP} name), then every role as its own
 * {@code java -jar magpie.jar <role> --config FILE} process, supervised by {@link ClusterSupervisor};
 * {@code cluster add|stop|status} ({@link ClusterControlCommands}) scale it while it runs. SIGINT and
 * SIGTERM stop the role processes in order, then the servers.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Run a local multi-process cluster: MariaDB, Redis and Kafka in this process (unless"
                + " MAGPIE_MYSQL_URL / MAGPIE_REDIS_URL / MAGPIE_KAFKA_BOOTSTRAP name existing ones), every role"
                + " as its own JVM. Scale it while it runs with `magpie cluster add|stop|status`.",
        subcommands = {ClusterControlCommands.Add.class, ClusterControlCommands.Stop.class,
            ClusterControlCommands.Status.class})
final class ClusterCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ClusterCommand.class);
    static final String DEFAULT_DATA_DIR = "${sys:user.home}/.magpie/cluster";
    /** The settings every role process gets from this one (each takes those its role reads). */
    @Option(names = "--gates", paramLabel = "N", defaultValue = "2", description = "gate processes (default: ${DEFAULT-VALUE})")
    int gates;

    @Option(names = "--logic", paramLabel = "N", defaultValue = "2", description = "logic processes (default: ${DEFAULT-VALUE});"
            + " logic-1 serves the account API on logic.http-port (8081), the others on free ports")
    int logic;

    @Option(names = "--routers", paramLabel = "N", defaultValue = "2", description = "router processes (default: ${DEFAULT-VALUE})")
    int routers;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DEFAULT_DATA_DIR,
            description = "the embedded servers' data, the secrets, and cluster/ with each process's config and log"
                    + " (default: ${DEFAULT-VALUE}; separate from standalone's)")
    Path dataDir;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = StandaloneCommand.LOOPBACK,
            description = "address the gates' client ports, the account API and the LSB listen on (default:"
                    + " ${DEFAULT-VALUE}, this machine only; 0.0.0.0 = every interface)")
    String bind;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Map<String, String> env = System.getenv();
        ConfigTree tree = ConfigTree.load(null, StandaloneCommand.roleEnvironment(env));
        Path dir = new Settings(tree).infraDataDir(dataDir);
        ClusterLayout layout = new ClusterLayout(dir);
        // the ports a client knows without being told (./magpie chat's defaults), unless the environment moves them
        ClusterSpec spec = new ClusterSpec(gates, logic, routers, true, bind,
                tree.integer("lsb.port", LsbConfig.DEFAULT_HTTP_PORT),
                tree.integer("logic.http-port", LogicConfig.DEFAULT_HTTP_PORT),
                ClusterSpec.javaOptions(env.get("MAGPIE_CLUSTER_JAVA_OPTS")));
        // one ordered stop on SIGINT and SIGTERM: the admin endpoint, the role processes, then the servers
        ProcessLifecycle lifecycle = ProcessLifecycle.install("cluster");
        Infrastructure infra = StandaloneCommand.startEngines(lifecycle, env, dir,
                new Settings(tree).infraMysqlFlushLogAtTrxCommit());
        StandaloneCommand.fillFromInfrastructure(tree, infra, dir);
        StandaloneCommand.pointWebChatAtLsb(tree, "http", bind, spec.lsbPort());
        ClusterSupervisor supervisor = new ClusterSupervisor(spec,
                new RoleConfigWriter(layout, sharedSettings(tree), bind),
                RoleLauncher.ofCurrentProcess(spec.javaOptions(), layout, Clock.systemUTC()));
        lifecycle.add(supervisor);
        log.info("[cluster] servers: {}; starting {} gates, {} logic, {} routers, 1 notifier, 1 LSB (configs and logs"
                + " in {})", infra.describe(), gates, logic, routers, layout.clusterDir());
        List<String> passedOn = env.keySet().stream()
                .filter(k -> k.startsWith("MAGPIE_") && !RoleLauncher.replacedByTheConfigFile(k)).sorted().toList();
        if (!passedOn.isEmpty()) {
            log.info("[cluster] passing on to every role: {}", passedOn);
        }
        supervisor.startAll(); // a failure ends the command: the exit runs the hook, which stops what started
        lifecycle.add(ControlServer.start(supervisor, layout));
        long readyMs = (System.nanoTime() - t0) / 1_000_000;
        log.info("[cluster] ready in {} ms", readyMs);
        System.out.print(ClusterBanner.text(readyMs, spec, ProcessView.of(supervisor.processes()), layout, isDefaultDataDir(dir)));
        System.out.flush();
        lifecycle.awaitStop();
        return 0;
    }

    /** The servers and secrets from the environment or {@link StandaloneCommand#fillFromInfrastructure}. */
    private static Map<String, String> sharedSettings(ConfigTree tree) {
        Map<String, String> shared = new LinkedHashMap<>();
        for (String key : RoleConfigWriter.SHARED_KEYS) {
            String value = tree.string(key, null);
            if (value != null) {
                shared.put(key, value);
            }
        }
        return shared;
    }

    private static boolean isDefaultDataDir(Path dir) {
        return dir.toAbsolutePath().normalize().equals(
                Path.of(System.getProperty("user.home"), ".magpie", "cluster").toAbsolutePath().normalize());
    }
}
