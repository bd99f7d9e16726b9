package io.magpie.engines.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pid of a server process started from a slot, so the next owner of the slot can kill what a
 * {@code kill -9}ed JVM left running. A recorded process is only killed when its executable lies
 * under {@code executableDir}: a reused pid of an unrelated process is left alone.
 */
public final class PidFile {

    private static final Logger log = LoggerFactory.getLogger(PidFile.class);

    private final Path file;
    private final Path executableDir;

    public PidFile(Path file, Path executableDir) {
        this.file = file;
        this.executableDir = executableDir.toAbsolutePath().normalize();
    }

    public Path path() {
        return file;
    }

    /** Kills the recorded process if it still runs (TERM, then KILL after the grace period). */
    public void killStale(String what) {
        Optional<ProcessHandle> stale = read().flatMap(ProcessHandle::of)
                .filter(PidFile::running)
                .filter(this::runsOurExecutable);
        if (stale.isPresent()) {
            ProcessHandle p = stale.get();
            log.warn("{}: killing leftover {} pid {}", file.getParent(), what,
                    p.pid());
            stop(p, 15);
        }
        delete();
    }

    public void write(long pid) {
        try {
            Files.writeString(file, Long.toString(pid), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            log.warn("{}: cannot write pid file; a crash would leave pid {} running", file, pid, e);
        }
    }

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("{}: cannot delete", file, e);
        }
    }

    Optional<Long> read() {
        try {
            return Optional.of(Long.parseLong(
                    Files.readString(file, StandardCharsets.US_ASCII).trim()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            log.warn("{}: unreadable pid file ignored", file, e);
            return Optional.empty();
        }
    }

    private boolean runsOurExecutable(ProcessHandle p) {
        Optional<String> command = p.info().command();
        if (command.isEmpty()) {
            log.warn("{}: pid {} is alive but its executable is unknown; leaving it", file,
                    p.pid());
            return false;
        }
        return Path.of(command.get()).toAbsolutePath().normalize().startsWith(executableDir);
    }

    /**
     * SIGTERM, wait up to {@code graceSeconds}, then SIGKILL. Polls rather than using
     * {@code onExit()}, which for a process that is not our child checks only every few hundred ms.
     */
    static void stop(ProcessHandle p, int graceSeconds) {
        p.destroy();
        if (awaitExit(p, graceSeconds * 1000L)) {
            return;
        }
        log.warn("pid {} ignored SIGTERM for {} s; killing it", p.pid(), graceSeconds);
        p.destroyForcibly();
        if (!awaitExit(p, 5_000)) {
            log.warn("pid {} survived SIGKILL for 5 s", p.pid());
        }
    }

    private static boolean awaitExit(ProcessHandle p, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (running(p)) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !running(p);
            }
        }
        return true;
    }

    /**
     * Alive and not a zombie. An orphan (its JVM was killed) is reaped by PID 1, which in some
     * containers takes seconds; {@link ProcessHandle#isAlive()} counts the zombie as alive.
     */
    public static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"),
                    StandardCharsets.US_ASCII);
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || stat.length() < afterName + 3
                    || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            return p.isAlive(); // no procfs (macOS) or just gone
        }
    }
}
