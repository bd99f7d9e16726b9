package io.magpie.server.faults;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * SIGSTOP and SIGCONT for the pause faults: a stopped process neither runs nor answers, but keeps its
 * sockets open, so its peers see a hang rather than an error (a GC pause, a hung VM, a frozen disk).
 * Linux {@code kill}; the JDK can send only TERM and KILL.
 */
final class Signals {

    private Signals() {
    }

    /** A process paused by {@link #pause}; {@link #close()} resumes it (idempotent). */
    static final class Paused implements AutoCloseable {
        private final long pid;
        private final long pausedAt = System.nanoTime();
        private boolean resumed;

        private Paused(long pid) {
            this.pid = pid;
        }

        /** {@link System#nanoTime()} of the SIGSTOP. */
        long pausedAt() {
            return pausedAt;
        }

        @Override
        public void close() {
            if (!resumed) {
                resumed = true;
                send("CONT", pid);
            }
        }
    }

    /** SIGSTOP now; resume with {@link Paused#close()} (use try-with-resources so a failure resumes it). */
    static Paused pause(long pid) {
        send("STOP", pid);
        return new Paused(pid);
    }

    private static void send(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sending SIG" + signal + " to " + pid, e);
        }
    }
}
