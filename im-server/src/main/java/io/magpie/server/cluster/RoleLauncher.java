package io.magpie.server.cluster;

import io.magpie.engines.InfrastructureConfig;
import io.magpie.engines.internal.NewSession;
import io.magpie.server.config.ConfigTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Starts one role process the way an operator would ({@code java -jar magpie.jar <role> --config FILE}),
 * with the JVM and the code of the running {@code magpie cluster}, and two additions that keep children
 * from outliving it: a session of their own ({@code setsid}, so a terminal's Ctrl-C reaches only the
 * supervisor, which stops them in order) and {@code --parent-pid} (a child whose supervisor was killed
 * with SIGKILL stops itself). Output goes to the process's log file, appended across restarts.
 *
 * @param java        the {@code java} executable
 * @param code        the arguments that name the code: {@code -jar magpie.jar}, or {@code -cp ... main class}
 * @param javaOptions JVM options of every role process
 * @param parentPid   the supervisor's pid
 */
public record RoleLauncher(String java, List<String> code, List<String> javaOptions, long parentPid,
        ClusterLayout layout, Clock clock) {

    private static final String MAIN_CLASS = "io.magpie.server.Magpie";

    public RoleLauncher {
        Objects.requireNonNull(java, "java");
        code = List.copyOf(code);
        javaOptions = List.copyOf(javaOptions);
    }

    /**
     * Whether a variable of the supervisor's environment must not reach a role process: one naming a key its
     * config file sets (MAGPIE_GATE_TCP_PORT would give every gate the same port; MAGPIE_MYSQL_URL names a
     * server to the supervisor where a role wants a database URL), or one only the supervisor reads. Every other
     * {@code MAGPIE_*} variable is passed on, so tuning set for the cluster reaches its roles.
     */
    public static boolean replacedByTheConfigFile(String variable) {
        return REPLACED.contains(variable);
    }

    private static final Set<String> REPLACED = replacedVariables();

    private static Set<String> replacedVariables() {
        Set<String> names = new HashSet<>(List.of(InfrastructureConfig.ENV_MYSQL_URL, InfrastructureConfig.ENV_MYSQL_USER,
                InfrastructureConfig.ENV_MYSQL_PASSWORD, InfrastructureConfig.ENV_REDIS_URL,
                InfrastructureConfig.ENV_KAFKA_BOOTSTRAP, InfrastructureConfig.ENV_INFRA_DIR,
                InfrastructureConfig.ENV_INFRA_QUIET, InfrastructureConfig.ENV_MYSQL_FLUSH_LOG_AT_TRX_COMMIT,
                "MAGPIE_CLUSTER_JAVA_OPTS"));
        RoleConfigWriter.SHARED_KEYS.forEach(k -> names.add(ConfigTree.envName(k)));
        RoleConfigWriter.PER_PROCESS_KEYS.forEach(k -> names.add(ConfigTree.envName(k)));
        return Set.copyOf(names);
    }

    /** A launcher for the JVM and the jar (or class path) this process runs from. */
    public static RoleLauncher ofCurrentProcess(List<String> javaOptions, ClusterLayout layout, Clock clock) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new RoleLauncher(java, currentCode(), javaOptions, ProcessHandle.current().pid(), layout, clock);
    }

    private static List<String> currentCode() {
        Path source;
        try {
            source = Path.of(RoleLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new ClusterException("cannot tell which jar magpie runs from (" + e + "); run magpie cluster from"
                    + " the distribution jar: java -jar im-server/target/magpie.jar cluster", e);
        }
        if (Files.isRegularFile(source) && source.toString().endsWith(".jar")) {
            return List.of("-jar", source.toString());
        }
        // classes from an IDE or a test: the same class path and main class
        return List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS);
    }

    /** Launches {@code plan}'s process with its config file; returns at once (see {@link RoleChild#awaitReady}). */
    public RoleChild launch(ProcessPlan plan, Path config) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(javaOptions);
        command.add("-Dmagpie.cluster.member=" + plan.name()); // names the process in ps output
        command.addAll(code);
        command.add(plan.command());
        command.add("--config");
        command.add(config.toString());
        command.add("--parent-pid");
        command.add(Long.toString(parentPid));
        Path log = layout.logFile(plan.name());
        ProcessBuilder builder = new ProcessBuilder(NewSession.command(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(RoleLauncher::replacedByTheConfigFile);
        Instant started = clock.instant();
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "### " + started + " " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new RoleChild(plan, config, log, builder.start(), started);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + plan.name() + " (" + String.join(" ", command) + ")", e);
        }
    }
}
