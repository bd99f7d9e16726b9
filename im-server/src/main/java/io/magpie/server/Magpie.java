package io.magpie.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code magpie} command line of {@code magpie.jar}: one subcommand per role, {@code standalone} for every role
 * in one JVM, {@code cluster} for every role as its own process on one machine, {@code engines} for only the
 * embedded MySQL, Redis and Kafka (roles started by hand use them), and {@code chat} to try it from a terminal.
 * The roles alone, without the engines, are {@code magpie-roles.jar} ({@link MagpieRoles}).
 */
@Command(name = "magpie", mixinStandardHelpOptions = true, versionProvider = MagpieVersion.class,
        description = "Magpie: a clustered instant-messaging server.",
        subcommands = {
            StandaloneCommand.class,
            ClusterCommand.class,
            EnginesCommand.class,
            RoleCommand.Gate.class,
            RoleCommand.Lsb.class,
            RoleCommand.Logic.class,
            RoleCommand.Router.class,
            RoleCommand.Notifier.class,
            ChatCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Magpie implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = MagpieRoles.withConfigErrors(new CommandLine(new Magpie()));
        CommandLine.IExecutionExceptionHandler configErrors = cl.getExecutionExceptionHandler();
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof io.magpie.server.cluster.ClusterException) {
                cmd.getErr().println("magpie: " + ex.getMessage());
                return 1;
            }
            return configErrors.handleExecutionException(ex, cmd, parseResult);
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
