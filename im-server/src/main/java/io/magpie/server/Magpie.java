package io.magpie.server;

import io.magpie.server.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code magpie} command line: one subcommand per role, {@code standalone} for every role in one
 * JVM, and {@code chat} to try it from a terminal.
 */
@Command(name = "magpie", mixinStandardHelpOptions = true, versionProvider = Magpie.Version.class,
        description = "Magpie: a clustered instant-messaging server.",
        subcommands = {
            StandaloneCommand.class,
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
        CommandLine cl = new CommandLine(new Magpie());
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Magpie.class.getPackage().getImplementationVersion();
            return new String[] {"magpie " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
