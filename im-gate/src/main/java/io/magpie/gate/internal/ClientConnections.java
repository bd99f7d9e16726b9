package io.magpie.gate.internal;

import io.magpie.protocol.LogIdentity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open client connections of one gate, capped at {@code gate.max-connections}: over the cap a new
 * connection is closed at once. Connections that have not logged in yet are also counted per source
 * address (an IPv6 address by its /64, which one subscriber usually holds whole), capped at
 * {@code gate.limits.max-unauthenticated-per-address}, so one host cannot hold the gate's connection
 * budget with sockets that never log in; a connection leaves that count when it logs in
 * ({@link #loggedIn}) or closes. Connections are kept here until they log in; from then on the gate's
 * {@link SessionTable} has them ({@link #closeAll}). Thread-safe.
 */
public final class ClientConnections {

    private static final Logger log = LoggerFactory.getLogger(ClientConnections.class);
    private static final long WARN_EVERY_MILLIS = 10_000;
    /** The place a connection holds here until it logs in or closes. */
    private static final AttributeKey<Slot> SLOT = AttributeKey.valueOf(ClientConnections.class, "unauthenticated");

    private final String gateId;
    private final int max;
    private final int maxUnauthenticatedPerAddress;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<Source, AtomicInteger> unauthenticated = new ConcurrentHashMap<>();
    /** Connections not logged in yet (a ChannelGroup would add a close listener and a map entry per connection). */
    private final Set<Channel> connecting = ConcurrentHashMap.newKeySet();
    private final AtomicLong refusedSinceWarn = new AtomicLong();
    private final AtomicLong lastWarnAt = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong refusedPerAddressSinceWarn = new AtomicLong();
    private final AtomicLong lastPerAddressWarnAt = new AtomicLong(Long.MIN_VALUE / 2);
    /**
     * The one close listener of every connection (not a lambda per connection, and a second listener would
     * cost a listener list: heap per idle connection).
     */
    private final ChannelFutureListener onClose = closed -> {
        open.decrementAndGet();
        loggedIn(closed.channel()); // a connection closed before login gives its place back
    };

    /** A source address, IPv6 reduced to its /64; compared by bytes. */
    private record Source(byte[] address) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Source s && Arrays.equals(address, s.address);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address);
        }
    }

    /** One connection's place among the connecting ones and in its address's count (none: null); released once. */
    private final class Slot {
        final Channel channel;
        final Source source;
        final AtomicBoolean released = new AtomicBoolean();

        Slot(Channel channel, Source source) {
            this.channel = channel;
            this.source = source;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                connecting.remove(channel);
                if (source != null) {
                    unauthenticated.computeIfPresent(source, (s, count) -> count.decrementAndGet() <= 0 ? null : count);
                }
            }
        }
    }

    public ClientConnections(String gateId, int max, Clock clock) {
        this(gateId, max, Integer.MAX_VALUE, clock);
    }

    /**
     * @param max                          open connections at most ({@code gate.max-connections})
     * @param maxUnauthenticatedPerAddress connections not logged in yet per source address at most
     */
    public ClientConnections(String gateId, int max, int maxUnauthenticatedPerAddress, Clock clock) {
        this.gateId = gateId;
        this.max = max;
        this.maxUnauthenticatedPerAddress = maxUnauthenticatedPerAddress;
        this.clock = clock;
    }

    /** Counts {@code channel} in, or closes it when the gate or its address is full; returns whether it was admitted. */
    public boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            channel.close();
            warnRefused(channel);
            return false;
        }
        Source source = sourceOf(channel.remoteAddress());
        Slot slot = new Slot(channel, source);
        if (source != null) {
            AtomicInteger count = unauthenticated.compute(source, (s, c) -> {
                AtomicInteger n = c == null ? new AtomicInteger() : c;
                n.incrementAndGet();
                return n;
            });
            if (count.get() > maxUnauthenticatedPerAddress) {
                slot.release();
                open.decrementAndGet();
                channel.close();
                warnRefusedPerAddress(channel);
                return false;
            }
        }
        connecting.add(channel);
        channel.attr(SLOT).set(slot);
        channel.closeFuture().addListener(onClose);
        return true;
    }

    /**
     * {@code channel} logged in: it no longer counts against its address's unauthenticated budget, and the
     * gate's {@link SessionTable} has it from now on. The slot leaves the channel's attributes altogether, so
     * a logged-in connection keeps none of it on the heap.
     */
    @SuppressWarnings("deprecation") // getAndRemove: getAndSet(null) would keep the attribute entry per connection
    public static void loggedIn(Channel channel) {
        if (channel.hasAttr(SLOT)) {
            Slot slot = channel.attr(SLOT).getAndRemove();
            if (slot != null) {
                slot.release();
            }
        }
    }

    public int count() {
        return open.get();
    }

    /** Connections not logged in yet from {@code address}'s source (its /64 for IPv6). */
    public int unauthenticatedFrom(InetAddress address) {
        AtomicInteger count = unauthenticated.get(new Source(reduce(address)));
        return count == null ? 0 : count.get();
    }

    /** Closes every client connection: those not logged in yet, and those of {@code loggedIn}. */
    public ChannelGroupFuture closeAll(Collection<Session> loggedIn) {
        ChannelGroup all = new DefaultChannelGroup("gate-clients", GlobalEventExecutor.INSTANCE);
        all.addAll(connecting);
        loggedIn.forEach(session -> all.add(session.channel()));
        return all.close();
    }

    private static Source sourceOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return new Source(reduce(inet.getAddress()));
        }
        return null; // not an IP connection (tests' embedded channels): nothing to count by
    }

    private static byte[] reduce(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            Arrays.fill(bytes, 8, 16, (byte) 0);
        }
        return bytes;
    }

    private void warnRefused(Channel channel) {
        long refused = refusedSinceWarn.incrementAndGet();
        long now = clock.millis();
        long last = lastWarnAt.get();
        // One line per 10 s under a connection storm, with the count, instead of one per refusal.
        if (now - last >= WARN_EVERY_MILLIS && lastWarnAt.compareAndSet(last, now)) {
            refusedSinceWarn.addAndGet(-refused);
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate={}] refused {} connection(s) (latest from {}): {} open connections reach "
                    + "gate.max-connections={}; raise it or add gates", gateId, refused, channel.remoteAddress(),
                    max, max);
        }
    }

    private void warnRefusedPerAddress(Channel channel) {
        long refused = refusedPerAddressSinceWarn.incrementAndGet();
        long now = clock.millis();
        long last = lastPerAddressWarnAt.get();
        if (now - last >= WARN_EVERY_MILLIS && lastPerAddressWarnAt.compareAndSet(last, now)) {
            refusedPerAddressSinceWarn.addAndGet(-refused);
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate={}] refused {} connection(s) (latest from {}): that address already has "
                    + "gate.limits.max-unauthenticated-per-address={} connections that have not logged in", gateId,
                    refused, channel.remoteAddress(), maxUnauthenticatedPerAddress);
        }
    }
}
