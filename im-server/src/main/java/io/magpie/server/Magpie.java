package io.magpie.server;

import io.magpie.server.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code magpie} command line: one subcommand per role, {@code standalone} for every role in one
 * JVM, {@code cluster} for every role as its own process on one machine, and {@code chat} to try it from a terminal.
 */
@Command(name = "magpie", mixinStandardHelpOptions = true, versionProvider = Magpie.Version.class,
        description = "Magpie: a clustered instant-messaging server.",
        subcommands = {
            StandaloneCommand.class,
            ClusterCommand.class,
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
            if (ex instanceof io.magpie.server.cluster.ClusterException) {
                cmd.getErr().println("magpie: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code magpie 0.1.0-SNAPSHOT (commit 1a2b3c4d5e, Java 17.0.9+9)}: from {@code version.properties},
     * written into the jar by the build (project version and git commit), else the manifest's
     * Implementation-Version, else "dev" (classes run from an IDE).
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties built = new Properties();
            try (InputStream in = Magpie.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    built.load(in);
                }
            } catch (IOException e) {
                // unreadable: fall back to the manifest below
            }
            return new String[] {line(built.getProperty("version", Magpie.class.getPackage().getImplementationVersion()),
                    built.getProperty("commit"), Runtime.version().toString())};
        }

        static String line(String version, String commit, String java) {
            boolean knownCommit = commit != null && !commit.isBlank() && !commit.equals("unknown");
            return "magpie " + (version == null ? "dev" : version)
                    + " (" + (knownCommit ? "commit " + commit + ", " : "") + "Java " + java + ")";
        }
    }
}
