package io.magpie.server;

import io.magpie.server.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The roles' jar ({@code magpie-roles.jar}): {@code java -jar magpie-roles.jar gate|lsb|logic|router|notifier
 * --config FILE}, one role against the operator's MySQL, Redis and Kafka. It carries no embedded engines:
 * {@code magpie standalone}, {@code cluster}, {@code engines} and {@code chat} are in {@code magpie.jar}.
 */
@Command(name = "magpie", mixinStandardHelpOptions = true, versionProvider = MagpieVersion.class,
        description = "Magpie: a clustered instant-messaging server (the roles; standalone, cluster, engines and"
                + " chat are in magpie.jar).",
        subcommands = {
            RoleCommand.Gate.class,
            RoleCommand.Lsb.class,
            RoleCommand.Logic.class,
            RoleCommand.Router.class,
            RoleCommand.Notifier.class,
            CommandLine.HelpCommand.class
        })
public final class MagpieRoles implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(withConfigErrors(new CommandLine(new MagpieRoles())).execute(args));
    }

    /** A configuration error ends the command with its message and exit code 2, not a stack trace. */
    static CommandLine withConfigErrors(CommandLine cl) {
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof ConfigException) {
                cmd.getErr().println("magpie: configuration error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
