package io.magpie.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code magpie 0.1.0-SNAPSHOT (commit 1a2b3c4d5e, Java 17.0.9+9)}: from {@code version.properties},
 * written into the jar by the build (project version and git commit), else the manifest's
 * Implementation-Version, else "dev" (classes run from an IDE). The {@code --version} of both jars.
 */
public final class MagpieVersion implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        Properties built = new Properties();
        try (InputStream in = MagpieVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                built.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read version.properties from the jar", e);
        }
        return new String[] {line(built.getProperty("version", MagpieVersion.class.getPackage().getImplementationVersion()),
                built.getProperty("commit"), Runtime.version().toString())};
    }

    static String line(String version, String commit, String java) {
        boolean knownCommit = commit != null && !commit.isBlank() && !commit.equals("unknown");
        return "magpie " + (version == null ? "dev" : version)
                + " (" + (knownCommit ? "commit " + commit + ", " : "") + "Java " + java + ")";
    }
}
