package io.magpie.server;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a role process whose parent is gone: {@code magpie cluster} starts each role with
 * {@code --parent-pid}, and a role whose supervisor died without stopping it (kill -9 of the parent,
 * which runs no shutdown hook) stops itself the normal way (exit status 0 through the shutdown hook,
 * so a gate drains) instead of running on as an orphan nobody manages.
 *
 * <p>The JDK watches a process that is not our child by polling; that costs one daemon thread.
 */
final class ParentWatch {

    private static final Logger log = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /** Starts watching {@code parentPid}; exits the JVM at once if it is not running any more. */
    static void start(String what, long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid).filter(ProcessHandle::isAlive);
        if (parent.isEmpty()) {
            log.warn("[{}] the parent process {} (--parent-pid) is not running; exiting", what, parentPid);
            exit(what);
            return;
        }
        parent.get().onExit().thenRun(() -> {
            log.warn("[{}] the parent process {} (--parent-pid) is gone; stopping", what, parentPid);
            exit(what);
        });
    }

    private static void exit(String what) {
        // a thread of its own, as ProcessLifecycle does: System.exit waits for the shutdown hook
        new Thread(() -> System.exit(0), what + "-orphan-exit").start();
    }
}
