package io.magpie.router.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one long-lived connection from this router to one gate's internal port. Connects and runs the
 * mutual handshake ({@link GateLinkHandshake}) on first use and again on the next use after the link
 * dropped; splits each GATE_PUSH to the frame limit the gate announced; correlates each GATE_PUSH_ACK
 * with its GATE_PUSH by request id.
 *
 * <p>A gate that stops acknowledging is not trusted with the link for long: after
 * {@code maxAckTimeouts} acks in a row timed out, the connection is closed (its pending pushes fail)
 * and a fresh one is opened on the next push, so a wedged socket or a gate stuck behind it does not
 * keep swallowing pushes. {@link #healthy()} says whether the last push was acknowledged, so the
 * dispatcher need not hold other gates' users back waiting for this one.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread; acks arrive on the connection's event
 * loop.
 */
final class GateConnection {

    private static final Logger log = LoggerFactory.getLogger(GateConnection.class);

    /** A connected, authenticated channel and the frame limit its gate announced. */
    private record Link(Channel channel, int maxFrameBytes) {
    }

    private final String gateId;
    private final InetSocketAddress address;
    /** host:port for logs and messages. */
    private final String endpoint;
    private final Bootstrap bootstrap;
    private final Duration ackTimeout;
    private final int maxAckTimeouts;
    private final Map<Integer, CompletableFuture<GatePushAck>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    private final AtomicInteger consecutiveTimeouts = new AtomicInteger();
    private volatile boolean lastAttemptFailed;
    private Link link;
    /**
     * The sends waiting for the link being opened, first come first, each turn with its write attached: the
     * pushes reach the gate in the order they were sent (dependents of one shared future would run in reverse).
     */
    private final Deque<CompletableFuture<Link>> waiting = new ArrayDeque<>();
    private boolean connecting;
    private boolean closed;

    /**
     * @param bootstrap a bootstrap whose pipeline holds a {@link GateLinkHandshake} and ends in a
     *                  {@link GatePushAckHandler} for this connection
     */
    GateConnection(String gateId, InetSocketAddress address, Bootstrap bootstrap, Duration ackTimeout,
            int maxAckTimeouts) {
        this.gateId = gateId;
        this.address = address;
        this.endpoint = address.getHostString() + ":" + address.getPort();
        this.bootstrap = bootstrap;
        this.ackTimeout = ackTimeout;
        this.maxAckTimeouts = maxAckTimeouts;
    }

    String gateId() {
        return gateId;
    }

    InetSocketAddress address() {
        return address;
    }

    /** False after an ack timeout or a failed connect, until the gate acknowledges a push again. */
    boolean healthy() {
        return consecutiveTimeouts.get() == 0 && !lastAttemptFailed;
    }

    /**
     * Writes the GATE_PUSH frames (each split to the gate's frame limit), flushes once, and completes
     * with one ack per element of {@code pushes} (the merged acks of its parts) when the gate
     * acknowledged all of them; fails with {@link GateDeliveryException} otherwise.
     */
    CompletableFuture<List<GatePushAck>> send(List<GatePush> pushes) {
        return onLink(l -> write(l, pushes)).whenComplete((acks, e) -> lastAttemptFailed = e != null);
    }

    private CompletableFuture<List<GatePushAck>> write(Link l, List<GatePush> pushes) {
        List<CompletableFuture<GatePushAck>> acks = new ArrayList<>(pushes.size());
        for (GatePush push : pushes) {
            acks.add(writeSplit(l, push));
        }
        l.channel().flush();
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .thenApply(v -> acks.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<GatePushAck> writeSplit(Link l, GatePush push) {
        List<GatePush> parts;
        try {
            parts = GatePushSplitter.split(push, l.maxFrameBytes());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new GateDeliveryException(gateId, e.getMessage(), e));
        }
        List<CompletableFuture<GatePushAck>> acks = new ArrayList<>(parts.size());
        for (GatePush part : parts) {
            acks.add(write(l.channel(), part));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .thenApply(v -> GatePushSplitter.merge(acks.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<GatePushAck> write(Channel ch, GatePush push) {
        int requestId = requestIds.incrementAndGet();
        CompletableFuture<GatePushAck> ack = new CompletableFuture<>();
        pending.put(requestId, ack);
        ack.whenComplete((a, e) -> pending.remove(requestId));
        ack.orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ch.write(new Frame(Command.GATE_PUSH.code(), requestId, 0, push.toByteArray())).addListener(f -> {
            if (!f.isSuccess()) {
                ack.completeExceptionally(new GateDeliveryException(gateId, "writing a GATE_PUSH to " + endpoint
                        + " failed", f.cause()));
            }
        });
        return ack.exceptionallyCompose(e -> {
            if (e instanceof TimeoutException) {
                ackTimedOut(ch);
                return CompletableFuture.failedFuture(new GateDeliveryException(gateId, "no GATE_PUSH_ACK from "
                        + endpoint + " within " + ackTimeout.toMillis() + " ms", e));
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    private void ackTimedOut(Channel ch) {
        int timeouts = consecutiveTimeouts.incrementAndGet();
        if (timeouts >= maxAckTimeouts && ch.isActive()) {
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate {}] {} GATE_PUSH_ACKs in a row timed out on {} ({}); closing the connection, a new one"
                    + " is opened on the next push", gateId, timeouts, endpoint, ch.id().asShortText());
            consecutiveTimeouts.set(0);
            lastAttemptFailed = true;
            ch.close();
        }
    }

    /**
     * Runs {@code write} with the link: at once when it is open; otherwise once it is opened, after the sends
     * that waited before this one. The write is attached to its turn before the turn is queued, so whichever
     * thread the link is handed out on runs the writes in the order the sends came.
     */
    private CompletableFuture<List<GatePushAck>> onLink(
            Function<Link, CompletableFuture<List<GatePushAck>>> write) {
        Link open;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new GateDeliveryException(gateId, "connection is closed", null));
            }
            if (link == null || !link.channel().isActive()) {
                CompletableFuture<Link> turn = new CompletableFuture<>();
                CompletableFuture<List<GatePushAck>> written = turn.thenCompose(write);
                waiting.addLast(turn);
                if (!connecting) {
                    connecting = true;
                    bootstrap.connect(address).addListener((ChannelFuture f) -> onConnect(f));
                }
                return written;
            }
            open = link;
        }
        return write.apply(open);
    }

    private void onConnect(ChannelFuture f) {
        if (!f.isSuccess()) {
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate {}] cannot connect to internal port {}: {}", gateId, endpoint, f.cause().toString());
            handOut(null, new GateDeliveryException(gateId, "cannot connect to " + endpoint, f.cause()));
            return;
        }
        Channel ch = f.channel();
        ch.closeFuture().addListener(c -> onClosed(ch));
        ch.pipeline().get(GateLinkHandshake.class).ready().whenComplete((maxFrameBytes, e) -> {
            if (e != null) {
                handOut(null, e);
                return;
            }
            boolean close;
            synchronized (this) {
                close = closed;
            }
            if (close) {
                ch.close();
                handOut(null, new GateDeliveryException(gateId, "connection is closed", null));
                return;
            }
            LogIdentity.gate(log.atInfo(), gateId)
                    .log("[gate {}] connected to internal port {} ({})", gateId, endpoint, ch.id().asShortText());
            handOut(new Link(ch, maxFrameBytes), null);
        });
    }

    /**
     * Gives the opened link (or the failure) to the waiting sends one at a time, in the order they came; each
     * turn runs its send's write before the next is let go, and sends arriving meanwhile queue behind them.
     * The link becomes the connection's only once none waits, so no send overtakes a waiting one.
     */
    private void handOut(Link ready, Throwable failure) {
        while (true) {
            CompletableFuture<Link> turn;
            boolean closedMeanwhile = false;
            synchronized (this) {
                turn = waiting.pollFirst();
                if (turn == null) {
                    connecting = false;
                    if (ready != null && closed) {
                        closedMeanwhile = true;
                    } else if (ready != null) {
                        link = ready;
                    }
                }
            }
            if (turn == null) {
                if (closedMeanwhile) {
                    ready.channel().close();
                }
                return;
            }
            if (failure == null) {
                turn.complete(ready);
            } else {
                turn.completeExceptionally(failure);
            }
        }
    }

    private void onClosed(Channel ch) {
        synchronized (this) {
            if (link != null && link.channel() == ch) {
                link = null;
            }
        }
        int lost = pending.size();
        LogIdentity.gate(log.atInfo(), gateId)
                .log("[gate {}] disconnected from {} ({}), {} pushes unacknowledged; reconnecting on next push",
                gateId, endpoint, ch.id().asShortText(), lost);
        failPending("connection to " + endpoint + " closed before the GATE_PUSH_ACK");
    }

    /** Called by the ack handler on the event loop. */
    void acked(int requestId, GatePushAck ack) {
        CompletableFuture<GatePushAck> f = pending.get(requestId);
        consecutiveTimeouts.set(0);
        if (f != null) {
            f.complete(ack);
        } else {
            LogIdentity.gate(log.atDebug(), gateId)
                    .log("[gate {}] GATE_PUSH_ACK {} arrived after its timeout", gateId, requestId);
        }
    }

    /** Called by the ack handler when the gate answered a GATE_PUSH with an ERROR. */
    void refused(int requestId, String reason) {
        CompletableFuture<GatePushAck> f = pending.get(requestId);
        if (f != null) {
            f.completeExceptionally(new GateDeliveryException(gateId, "refused GATE_PUSH " + requestId + ": " + reason,
                    null));
        }
    }

    private void failPending(String reason) {
        // in the order they were written: a send retried on a new link must not overtake an earlier one
        for (Integer id : new TreeSet<>(pending.keySet())) {
            CompletableFuture<GatePushAck> f = pending.get(id);
            if (f != null) {
                f.completeExceptionally(new GateDeliveryException(gateId, reason, null));
            }
        }
    }

    /** Closes the connection for good; pending pushes fail. */
    void close() {
        Channel ch;
        synchronized (this) {
            closed = true;
            ch = link == null ? null : link.channel();
            link = null;
        }
        if (ch != null) {
            ch.close();
        }
        failPending("connection closed by the router");
    }
}
