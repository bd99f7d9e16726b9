package io.magpie.bench.internal.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens one authenticated idle connection per token with at most {@code concurrency} connect+logins in
 * flight, spreading the sockets over the given source addresses (one loopback address offers ~28,000
 * ephemeral ports towards one gate port). Failures are counted, not fatal; the whole phase is bounded by
 * a deadline. Progress is visible through the counters and the recorder while it runs.
 */
public final class ConnectPhase {

    /** What the phase did; wall-clock times let several processes' phases be combined. */
    public record Result(long connected, long failed, long startEpochMillis, long endEpochMillis, String firstError,
                         boolean deadlinePassed) {
        public double seconds() {
            return Math.max(1, endEpochMillis - startEpochMillis) / 1000.0;
        }
    }

    /** Live counters of a running phase. */
    public static final class Counters {
        public final LongAdder connected = new LongAdder();
        public final LongAdder failed = new LongAdder();
        public final LatencyRecorder latency = new LatencyRecorder();
    }

    private ConnectPhase() {
    }

    /**
     * Hands out (source address, port) pairs round-robin over the source addresses, each address counting
     * its ports up through this process's slice of [{@value #FIRST_PORT}, 65535] and wrapping (worker
     * processes get disjoint slices). Choosing the port here rather than
     * letting the kernel pick one keeps connect cheap when tens of thousands of ports toward one gate are in
     * use: the kernel's search for a free ephemeral port grows with the ports taken. Thread-safe.
     */
    static final class LocalPorts {
        static final int FIRST_PORT = 10_000;
        static final int SPAN = 65_536 - FIRST_PORT;
        private final List<InetAddress> sources;
        private final java.util.concurrent.atomic.AtomicInteger[] next;
        private final int first;
        private final int span;

        /**
         * @param skip  ports per address to leave out at the start (those a warm-up used, now in TIME_WAIT)
         * @param share which of {@code shares} equal slices of the port range is this process's
         */
        LocalPorts(List<InetAddress> sources, int skip, int share, int shares) {
            this.sources = sources;
            this.span = SPAN / shares;
            this.first = FIRST_PORT + share * span;
            this.next = new java.util.concurrent.atomic.AtomicInteger[sources.size()];
            for (int i = 0; i < next.length; i++) {
                next[i] = new java.util.concurrent.atomic.AtomicInteger(skip);
            }
        }

        /** The next local address for connection {@code j}, or null with no source addresses. */
        InetSocketAddress next(int j) {
            if (sources.isEmpty()) {
                return null;
            }
            int s = j % sources.size();
            int port = first + Math.floorMod(next[s].getAndIncrement(), span);
            return new InetSocketAddress(sources.get(s), port);
        }
    }

    /**
     * Opens and closes connections for the first {@code count} tokens, unmeasured, so the JIT of both the
     * bench and the gate has compiled the connect and login path before the measured phase (a cold JVM
     * otherwise measures its compiler). The same devices log in again in the measured phase.
     *
     * @return how many of the warm-up connections succeeded
     */
    /** Ports per source address a warm-up of {@code count} connections takes. */
    public static int warmUpPorts(int count, List<InetAddress> sources) {
        return sources.isEmpty() ? 0 : (count + sources.size() - 1) / sources.size();
    }

    public static long warmUp(int threads, InetSocketAddress gate, List<InetAddress> sources, List<String> tokens,
                              int count, int concurrency, Duration loginTimeout, Duration deadline, int share, int shares)
            throws InterruptedException {
        if (count <= 0) {
            return 0;
        }
        try (GateLogins warm = new GateLogins(threads)) {
            Counters c = new Counters();
            return run(warm, gate, sources, tokens.subList(0, Math.min(count, tokens.size())), concurrency,
                    loginTimeout, deadline, c, 0, share, shares).connected();
        }
    }

    public static Result run(GateLogins logins, InetSocketAddress gate, List<InetAddress> sources, List<String> tokens,
                             int concurrency, Duration loginTimeout, Duration deadline, Counters counters)
            throws InterruptedException {
        return run(logins, gate, sources, tokens, concurrency, loginTimeout, deadline, counters, 0, 0, 1);
    }

    /**
     * @param skipPorts  ports per source address a warm-up already used
     * @param share      this process's slice of the local port range, of {@code shares}
     */
    public static Result run(GateLogins logins, InetSocketAddress gate, List<InetAddress> sources, List<String> tokens,
                             int concurrency, Duration loginTimeout, Duration deadline, Counters counters,
                             int skipPorts, int share, int shares) throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        LocalPorts ports = new LocalPorts(sources, skipPorts, share, shares);
        AtomicReference<String> firstError = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong lastDoneMs = new java.util.concurrent.atomic.AtomicLong();
        long startMs = System.currentTimeMillis();
        long end = System.nanoTime() + deadline.toNanos();
        boolean late = false;
        for (int j = 0; j < tokens.size(); j++) {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > end) {
                    late = true;
                    break;
                }
            }
            if (late) {
                break;
            }
            int slot = j;
            long t0 = System.nanoTime();
            logins.open(gate, () -> ports.next(slot), tokens.get(j), loginTimeout).whenComplete((ack, failure) -> {
                if (failure == null) {
                    counters.latency.recordNanos(System.nanoTime() - t0);
                    counters.connected.increment();
                } else {
                    counters.failed.increment();
                    firstError.compareAndSet(null, failure.getMessage());
                }
                lastDoneMs.accumulateAndGet(System.currentTimeMillis(), Math::max);
                permits.release();
            });
        }
        // wait for the connects still in flight (each is bounded by the login timeout)
        long tailEnd = System.nanoTime() + loginTimeout.toNanos() + TimeUnit.SECONDS.toNanos(5);
        while (!permits.tryAcquire(concurrency, 100, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > tailEnd) {
                break;
            }
        }
        long endMs = lastDoneMs.get() == 0 ? System.currentTimeMillis() : lastDoneMs.get();
        return new Result(counters.connected.sum(), counters.failed.sum(), startMs, endMs, firstError.get(), late);
    }
}
