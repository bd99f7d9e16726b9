package io.magpie.gate;

import java.time.Duration;

/**
 * What one client connection may cost a gate (issue 8 point 3), validated once when built: a value out
 * of range fails naming its YAML key ({@code gate.limits.*}), the bounds and the value given. Immutable;
 * {@link #defaults()} holds every default, {@link #toBuilder()} changes a few.
 *
 * <p>Output: a connection's channel becomes unwritable above {@code writeBufferHighBytes} queued and
 * writable again below {@code writeBufferLowBytes}; it is closed (ERROR {@code SLOW_CONSUMER}) when its
 * queued output would pass {@code maxOutboundBytes}, or when it stays unwritable for
 * {@code unwritableTimeout}. Its messages are in storage: the client SYNCs and PULLs on reconnect.
 *
 * <p>Input: each connection has token buckets for all frames, SEND, SYNC and PULL ({@code rate} per
 * second, {@code burst} at most; rate 0 = no budget). A frame over budget is answered with ERROR
 * {@code RATE_LIMITED} carrying {@code retry_after_ms}; {@code maxRefusals} refusals within
 * {@code refusalWindow} close the connection. A connection with {@code maxInflightRequests} requests
 * not yet handed to the bus stops being read (and a request beyond that gets {@code SERVER_BUSY});
 * gate-wide, at most {@code publishBufferBytes} of requests wait for the bus, beyond that a request gets
 * {@code SERVER_BUSY} at once.
 *
 * @param writeBufferLowBytes           low water mark of a client channel (default 32 KiB)
 * @param writeBufferHighBytes          high water mark of a client channel (default 64 KiB)
 * @param maxOutboundBytes              output queued for one connection above which it is closed (default 1 MiB)
 * @param unwritableTimeout             how long a connection may stay unwritable before it is closed (default 30 s)
 * @param maxUnackedBytes               bytes of PUSH frames one connection's wait-ACK table keeps (default 1 MiB);
 *                                      beyond it the oldest is dropped, as over {@code gate.max-unacked-pushes}
 * @param maxInflightRequests           requests of one connection on their way to the bus (default 64)
 * @param publishBufferBytes            bytes of requests of all connections on their way to the bus (default 16 MiB)
 * @param framesPerSecond               every frame of a logged-in connection, per second (default 500)
 * @param frameBurst                    frames allowed at once (default 1000)
 * @param sendsPerSecond                SEND frames per second (default 100)
 * @param sendBurst                     SEND frames at once (default 200)
 * @param syncsPerSecond                SYNC frames per second (default 5)
 * @param syncBurst                     SYNC frames at once (default 10)
 * @param pullsPerSecond                PULL frames per second (default 50)
 * @param pullBurst                     PULL frames at once (default 100)
 * @param maxRefusals                   RATE_LIMITED answers within {@code refusalWindow} that close the
 *                                      connection (default 200)
 * @param refusalWindow                 window of {@code maxRefusals} (default 10 s)
 * @param maxUnauthenticatedPerAddress  connections not yet logged in from one source address (an IPv6
 *                                      address counts by its /64) above which new ones are closed (default 64)
 * @param typingPerSecond               TYPING frames per second (default 2); 0 = no budget. Unlike the others a
 *                                      TYPING over budget is dropped silently (it is transient; the next one
 *                                      carries the same news), and not counted toward {@code maxRefusals}
 * @param typingBurst                   TYPING frames at once (default 2)
 */
public record GateLimits(
        int writeBufferLowBytes,
        int writeBufferHighBytes,
        int maxOutboundBytes,
        Duration unwritableTimeout,
        int maxUnackedBytes,
        int maxInflightRequests,
        int publishBufferBytes,
        int framesPerSecond,
        int frameBurst,
        int sendsPerSecond,
        int sendBurst,
        int syncsPerSecond,
        int syncBurst,
        int pullsPerSecond,
        int pullBurst,
        int maxRefusals,
        Duration refusalWindow,
        int maxUnauthenticatedPerAddress,
        int typingPerSecond,
        int typingBurst) {

    private static final GateLimits DEFAULTS = new GateLimits(32 << 10, 64 << 10, 1 << 20, Duration.ofSeconds(30),
            1 << 20, 64, 16 << 20, 500, 1000, 100, 200, 5, 10, 50, 100, 200, Duration.ofSeconds(10), 64, 2, 2);

    public GateLimits {
        range("gate.limits.write-buffer-low-bytes", writeBufferLowBytes, 1024, 64 << 20);
        range("gate.limits.write-buffer-high-bytes", writeBufferHighBytes, 1024, 64 << 20);
        if (writeBufferLowBytes > writeBufferHighBytes) {
            throw new IllegalArgumentException("gate.limits.write-buffer-low-bytes (" + writeBufferLowBytes
                    + ") must not exceed gate.limits.write-buffer-high-bytes (" + writeBufferHighBytes + ")");
        }
        range("gate.limits.max-outbound-bytes", maxOutboundBytes, 4096, 1 << 30);
        if (maxOutboundBytes < 2L * writeBufferHighBytes) {
            throw new IllegalArgumentException("gate.limits.max-outbound-bytes (" + maxOutboundBytes + ") must be at "
                    + "least twice gate.limits.write-buffer-high-bytes (" + writeBufferHighBytes + "), or a connection "
                    + "is closed as soon as it stops being writable");
        }
        between("gate.limits.unwritable-timeout", unwritableTimeout, Duration.ofMillis(100), Duration.ofHours(1));
        range("gate.limits.max-unacked-bytes", maxUnackedBytes, 1024, 1 << 30);
        range("gate.limits.max-inflight-requests", maxInflightRequests, 1, 100_000);
        range("gate.limits.publish-buffer-bytes", publishBufferBytes, 64 << 10, 1 << 30);
        budget("gate.limits.frames", framesPerSecond, frameBurst);
        budget("gate.limits.sends", sendsPerSecond, sendBurst);
        budget("gate.limits.syncs", syncsPerSecond, syncBurst);
        budget("gate.limits.pulls", pullsPerSecond, pullBurst);
        range("gate.limits.max-refusals", maxRefusals, 1, 1_000_000);
        between("gate.limits.refusal-window", refusalWindow, Duration.ofSeconds(1), Duration.ofHours(1));
        range("gate.limits.max-unauthenticated-per-address", maxUnauthenticatedPerAddress, 1, 10_000_000);
        range("gate.limits.typing-per-second", typingPerSecond, 0, 1_000);
        range("gate.limits.typing-burst", typingBurst, typingPerSecond == 0 ? 0 : 1, 1_000);
    }

    /** Every limit at its default. */
    public static GateLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void budget(String prefix, int perSecond, int burst) {
        range(prefix + "-per-second", perSecond, 0, 1_000_000);
        range(prefix.replaceFirst("s$", "") + "-burst", burst, perSecond == 0 ? 0 : 1, 10_000_000);
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }

    private static void between(String name, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + min.toMillis() + " ms.." + max.toMillis()
                    + " ms, got " + value);
        }
    }

    /** Mutable collector of limits; not thread-safe. Starts from the limits it was made from. */
    public static final class Builder {
        private int writeBufferLowBytes;
        private int writeBufferHighBytes;
        private int maxOutboundBytes;
        private Duration unwritableTimeout;
        private int maxUnackedBytes;
        private int maxInflightRequests;
        private int publishBufferBytes;
        private int framesPerSecond;
        private int frameBurst;
        private int sendsPerSecond;
        private int sendBurst;
        private int syncsPerSecond;
        private int syncBurst;
        private int pullsPerSecond;
        private int pullBurst;
        private int maxRefusals;
        private Duration refusalWindow;
        private int maxUnauthenticatedPerAddress;
        private int typingPerSecond;
        private int typingBurst;

        private Builder(GateLimits l) {
            writeBufferLowBytes = l.writeBufferLowBytes;
            writeBufferHighBytes = l.writeBufferHighBytes;
            maxOutboundBytes = l.maxOutboundBytes;
            unwritableTimeout = l.unwritableTimeout;
            maxUnackedBytes = l.maxUnackedBytes;
            maxInflightRequests = l.maxInflightRequests;
            publishBufferBytes = l.publishBufferBytes;
            framesPerSecond = l.framesPerSecond;
            frameBurst = l.frameBurst;
            sendsPerSecond = l.sendsPerSecond;
            sendBurst = l.sendBurst;
            syncsPerSecond = l.syncsPerSecond;
            syncBurst = l.syncBurst;
            pullsPerSecond = l.pullsPerSecond;
            pullBurst = l.pullBurst;
            maxRefusals = l.maxRefusals;
            refusalWindow = l.refusalWindow;
            maxUnauthenticatedPerAddress = l.maxUnauthenticatedPerAddress;
            typingPerSecond = l.typingPerSecond;
            typingBurst = l.typingBurst;
        }

        public Builder writeBufferLowBytes(int v) { writeBufferLowBytes = v; return this; }
        public Builder writeBufferHighBytes(int v) { writeBufferHighBytes = v; return this; }
        public Builder maxOutboundBytes(int v) { maxOutboundBytes = v; return this; }
        public Builder unwritableTimeout(Duration v) { unwritableTimeout = v; return this; }
        public Builder maxUnackedBytes(int v) { maxUnackedBytes = v; return this; }
        public Builder maxInflightRequests(int v) { maxInflightRequests = v; return this; }
        public Builder publishBufferBytes(int v) { publishBufferBytes = v; return this; }
        public Builder frames(int perSecond, int burst) { framesPerSecond = perSecond; frameBurst = burst; return this; }
        public Builder sends(int perSecond, int burst) { sendsPerSecond = perSecond; sendBurst = burst; return this; }
        public Builder syncs(int perSecond, int burst) { syncsPerSecond = perSecond; syncBurst = burst; return this; }
        public Builder pulls(int perSecond, int burst) { pullsPerSecond = perSecond; pullBurst = burst; return this; }
        public Builder maxRefusals(int v) { maxRefusals = v; return this; }
        public Builder refusalWindow(Duration v) { refusalWindow = v; return this; }
        public Builder maxUnauthenticatedPerAddress(int v) { maxUnauthenticatedPerAddress = v; return this; }
        public Builder typing(int perSecond, int burst) { typingPerSecond = perSecond; typingBurst = burst; return this; }

        /** Validates; throws IllegalArgumentException naming the YAML key of a bad limit. */
        public GateLimits build() {
            return new GateLimits(writeBufferLowBytes, writeBufferHighBytes, maxOutboundBytes, unwritableTimeout,
                    maxUnackedBytes, maxInflightRequests, publishBufferBytes, framesPerSecond, frameBurst,
                    sendsPerSecond, sendBurst, syncsPerSecond, syncBurst, pullsPerSecond, pullBurst, maxRefusals,
                    refusalWindow, maxUnauthenticatedPerAddress, typingPerSecond, typingBurst);
        }
    }
}
