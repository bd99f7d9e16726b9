package io.magpie.engines.internal;

import java.util.OptionalLong;

/** A running MySQL-compatible server. */
public interface MysqlServer extends RunningServer {

    MysqlEndpoint endpoint();

    /** True when {@link #stopInPlace()} and {@link #startInPlace()} are supported (embedded only). */
    default boolean restartable() {
        return false;
    }

    /**
     * Stops the server process but keeps its port, data directory and configuration, so that
     * {@link #startInPlace()} brings the same server back (for fault tests). Idempotent.
     *
     * @throws UnsupportedOperationException for a server this process does not run
     */
    default void stopInPlace() {
        throw new UnsupportedOperationException(describe() + " is not run by this process; it cannot be stopped");
    }

    /**
     * Starts a server {@link #stopInPlace() stopped in place} again on the same port and data, returning
     * once it accepts connections. Does nothing when it is running.
     *
     * @throws UnsupportedOperationException for a server this process does not run
     */
    default void startInPlace() {
        throw new UnsupportedOperationException(describe() + " is not run by this process; it cannot be started");
    }

    /**
     * The operating-system pid of the server process, for fault tests that signal it (SIGSTOP/SIGCONT);
     * empty for a server this process does not run, or while it is stopped.
     */
    default OptionalLong pid() {
        return OptionalLong.empty();
    }
}
