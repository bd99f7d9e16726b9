package io.magpie.engines.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports nobody listens on. {@link #next()} and {@link #distinct} take the OS's choice of an
 * ephemeral port, for a server bound right away; {@link #forLaterBind} picks below the ephemeral range, for a port
 * handed to a server that binds it later (another process): the OS hands out ephemeral ports to every bind of
 * port 0 and every outgoing connection meanwhile, so a port picked there can be taken before the server binds it
 * (a child's embedded Redis once got the account API's port that way).
 */
public final class FreePorts {

    /** The lowest port {@link #forLaterBind} uses: above the well-known and most registered services' ports. */
    static final int LOWEST = 20_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;

    private FreePorts() {
    }

    /**
     * {@code n} different ports free now, between 20000 and the start of the OS's ephemeral range (32768 unless
     * Linux says otherwise), for servers that bind them later: no bind of port 0 or outgoing connection can take
     * them meanwhile. Random, so two pickers rarely meet; each is checked by binding it.
     */
    public static int[] forLaterBind(int n) {
        int high = ephemeralLow() - 1;
        if (high - LOWEST < 1_000) {
            return distinct(n); // an unusual ephemeral range: no room below it
        }
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                for (int attempt = 0; sockets[i] == null; attempt++) {
                    int candidate = ThreadLocalRandom.current().nextInt(LOWEST, high + 1);
                    try {
                        sockets[i] = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress());
                        ports[i] = candidate;
                    } catch (IOException taken) {
                        if (attempt >= 200) {
                            throw new UncheckedIOException("no free loopback port between " + LOWEST + " and " + high
                                    + " after 200 attempts", taken);
                        }
                    }
                }
            }
            return ports;
        } finally {
            close(sockets);
        }
    }

    /** The first port of the OS's ephemeral range. */
    static int ephemeralLow() {
        try {
            // a line read: procfs files report size 0, which Files.readString takes at its word
            String line;
            try (java.io.BufferedReader in = Files.newBufferedReader(EPHEMERAL_RANGE)) {
                line = in.readLine();
            }
            String[] range = line.trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW; // not Linux: the IANA range's start
        }
    }

    public static int next() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    /**
     * {@code n} different free ports: every socket stays open until all are picked, so the OS cannot
     * hand the same port out twice (two calls of {@link #next()} can, under load).
     */
    public static int[] distinct(int n) {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + n + " free loopback ports", e);
        } finally {
            close(sockets);
        }
    }

    private static void close(ServerSocket[] sockets) {
        for (ServerSocket s : sockets) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot release a probed loopback port", e);
                }
            }
        }
    }
}
