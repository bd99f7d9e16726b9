package io.magpie.server.cluster;

import io.magpie.engines.internal.FreePorts;
import java.util.HashSet;
import java.util.Set;

/**
 * Free loopback ports for the processes the supervisor starts. A port is free when asked and the child
 * binds it a few seconds later; it is picked below the OS's ephemeral range ({@link FreePorts#forLaterBind}), so
 * no embedded engine's port or outgoing connection takes it meanwhile; another program binding it explicitly
 * could, and then that child fails to start with a message naming the port (the start can simply be repeated).
 * Remembers what it handed out, so two processes of one cluster never get the same port.
 * Thread-safe.
 */
final class LocalPorts {

    private final Set<Integer> handedOut = new HashSet<>(); // guarded by this

    synchronized int next() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = FreePorts.forLaterBind(1)[0];
            if (handedOut.add(port)) {
                return port;
            }
        }
        throw new ClusterException("no free loopback port after 50 attempts");
    }

    /** Marks {@code port} (a fixed one, e.g. the LSB's) as taken, so {@link #next()} never returns it. */
    synchronized void reserve(int port) {
        handedOut.add(port);
    }
}
