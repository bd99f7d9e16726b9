package io.magpie.gate.internal;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open client connections of one gate, capped at {@code gate.max-connections}: over the cap a new
 * connection is closed at once. Thread-safe.
 */
public final class ClientConnections {

    private static final Logger log = LoggerFactory.getLogger(ClientConnections.class);
    private static final long WARN_EVERY_MILLIS = 10_000;

    private final String gateId;
    private final int max;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup("gate-clients", GlobalEventExecutor.INSTANCE);
    private final AtomicLong refusedSinceWarn = new AtomicLong();
    private final AtomicLong lastWarnAt = new AtomicLong(Long.MIN_VALUE / 2);

    public ClientConnections(String gateId, int max, Clock clock) {
        this.gateId = gateId;
        this.max = max;
        this.clock = clock;
    }

    /** Counts {@code channel} in, or closes it when the gate is full; returns whether it was admitted. */
    public boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            channel.close();
            warnRefused(channel);
            return false;
        }
        channels.add(channel);
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    public int count() {
        return open.get();
    }

    /** Closes every client connection. */
    public ChannelGroupFuture closeAll() {
        return channels.close();
    }

    private void warnRefused(Channel channel) {
        long refused = refusedSinceWarn.incrementAndGet();
        long now = clock.millis();
        long last = lastWarnAt.get();
        // One line per 10 s under a connection storm, with the count, instead of one per refusal.
        if (now - last >= WARN_EVERY_MILLIS && lastWarnAt.compareAndSet(last, now)) {
            refusedSinceWarn.addAndGet(-refused);
            log.warn("[gate={}] refused {} connection(s) (latest from {}): {} open connections reach "
                    + "gate.max-connections={}; raise it or add gates", gateId, refused, channel.remoteAddress(),
                    max, max);
        }
    }
}
