package io.magpie.server;

import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code magpie gate|lsb|logic|router --config FILE}: one role against the operator's servers. */
abstract class RoleCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RoleCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "YAML configuration (samples: deploy/config/<role>.yaml); "
                    + "any key can be overridden by MAGPIE_<SECTION>_<KEY>")
    Path config;

    @Option(names = "--parent-pid", hidden = true, paramLabel = "PID",
            description = "stop when this process ends (set by magpie cluster for the roles it starts)")
    Long parentPid;

    abstract MagpieNode.Role role();

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        String name = role().name().toLowerCase();
        Settings settings = new Settings(ConfigTree.load(config, System.getenv()));
        ProcessLifecycle lifecycle = ProcessLifecycle.install(name);
        if (parentPid != null) {
            ParentWatch.start(name, parentPid);
        }
        MagpieNode node = MagpieNode.start(settings, EnumSet.of(role()), Clock.systemUTC());
        // SIGTERM drains a gate before it stops (docs/operations.md §5); the other roles just close
        lifecycle.add(node::stopGracefully);
        lifecycle.exitWhen(node.gateStopped());
        log.info("[{}] ready in {} ms (config {})", name, (System.nanoTime() - t0) / 1_000_000, config);
        lifecycle.awaitStop();
        return 0;
    }

    @Command(name = "gate", mixinStandardHelpOptions = true,
            description = "Run a gate: client TCP + WebSocket listeners and the internal push port.",
            footer = {"", "Needs at start: Redis (routes, gate registry) and Kafka (produces upstream);",
                "no MySQL.",
                "Secrets: auth.token-secret (verifies login tokens; the same as logic's) and",
                "cluster.secret (the routers' handshake on the internal port)."})
    static final class Gate extends RoleCommand {
        @Override
        MagpieNode.Role role() {
            return MagpieNode.Role.GATE;
        }
    }

    @Command(name = "lsb", mixinStandardHelpOptions = true,
            description = "Run the LSB: hands clients the least-loaded gate over HTTP.",
            footer = {"", "Needs at start: Redis (reads the gate registry); no MySQL, no Kafka.",
                "Secrets: none."})
    static final class Lsb extends RoleCommand {
        @Override
        MagpieNode.Role role() {
            return MagpieNode.Role.LSB;
        }
    }

    @Command(name = "logic", mixinStandardHelpOptions = true,
            description = "Run logic: the upstream consumer (store, sequence, push tasks) and the account API.",
            footer = {"", "Needs at start: MySQL (runs the schema migrations; mysql.url names the",
                "database), Redis (worker-id lease, login limits) and Kafka.",
                "Secrets: auth.token-secret (signs login tokens; the gates need the same)."})
    static final class Logic extends RoleCommand {
        @Override
        MagpieNode.Role role() {
            return MagpieNode.Role.LOGIC;
        }
    }

    @Command(name = "notifier", mixinStandardHelpOptions = true,
            description = "Run the push-notification worker: offline tasks to webhook, APNs and FCM (each when configured).",
            footer = {"", "Needs at start: MySQL (push tokens, mutes), Redis (at start only) and Kafka.",
                "Secrets: the APNs .p8 signing key (notifier.apns.signing-key-file), the FCM service-account key"
                        + " (notifier.fcm.service-account-file), the webhook's own settings, if any."})
    static final class Notifier extends RoleCommand {
        @Override
        MagpieNode.Role role() {
            return MagpieNode.Role.NOTIFIER;
        }
    }

    @Command(name = "router", mixinStandardHelpOptions = true,
            description = "Run a router: consumes push tasks and pushes them to the gates.",
            footer = {"", "Needs at start: Redis (routes, gate registry) and Kafka; no MySQL.",
                "Secrets: cluster.secret (the gates' internal-port handshake; the same as",
                "the gates')."})
    static final class Router extends RoleCommand {
        @Override
        MagpieNode.Role role() {
            return MagpieNode.Role.ROUTER;
        }
    }
}
