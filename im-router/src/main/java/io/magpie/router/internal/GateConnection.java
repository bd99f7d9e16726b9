package io.magpie.router.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one long-lived connection from this router to one gate's internal port. Connects on first
 * use and again on the next use after it dropped; correlates each GATE_PUSH_ACK with its GATE_PUSH
 * by request id. Thread-safe: {@link #send} may be called from any thread; acks arrive on the
 * connection's event loop.
 */
final class GateConnection {

    private static final Logger log = LoggerFactory.getLogger(GateConnection.class);

    private final String gateId;
    private final InetSocketAddress address;
    /** host:port for logs and messages. */
    private final String endpoint;
    private final Bootstrap bootstrap;
    private final Duration ackTimeout;
    private final Map<Integer, CompletableFuture<GatePushAck>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    private Channel channel;
    private CompletableFuture<Channel> connecting;
    private boolean closed;

    /** @param bootstrap a bootstrap whose pipeline ends in a {@link GatePushAckHandler} for this connection */
    GateConnection(String gateId, InetSocketAddress address, Bootstrap bootstrap, Duration ackTimeout) {
        this.gateId = gateId;
        this.address = address;
        this.endpoint = address.getHostString() + ":" + address.getPort();
        this.bootstrap = bootstrap;
        this.ackTimeout = ackTimeout;
    }

    String gateId() {
        return gateId;
    }

    InetSocketAddress address() {
        return address;
    }

    /**
     * Writes one GATE_PUSH per body, flushes once, and completes when the gate acknowledged all of
     * them; fails with {@link GateDeliveryException} otherwise.
     */
    CompletableFuture<List<GatePushAck>> send(List<GatePush> pushes) {
        return connected().thenCompose(ch -> {
            List<CompletableFuture<GatePushAck>> acks = new ArrayList<>(pushes.size());
            for (GatePush push : pushes) {
                acks.add(write(ch, push));
            }
            ch.flush();
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .thenApply(v -> acks.stream().map(CompletableFuture::join).toList());
        });
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
        return ack.exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof TimeoutException
                ? new GateDeliveryException(gateId, "no GATE_PUSH_ACK from " + endpoint + " within "
                        + ackTimeout.toMillis() + " ms", e)
                : e));
    }

    private synchronized CompletableFuture<Channel> connected() {
        if (closed) {
            return CompletableFuture.failedFuture(new GateDeliveryException(gateId, "connection is closed", null));
        }
        if (channel != null && channel.isActive()) {
            return CompletableFuture.completedFuture(channel);
        }
        if (connecting != null) {
            return connecting;
        }
        CompletableFuture<Channel> result = new CompletableFuture<>();
        connecting = result;
        bootstrap.connect(address).addListener((ChannelFuture f) -> onConnect(f, result));
        return result;
    }

    private void onConnect(ChannelFuture f, CompletableFuture<Channel> result) {
        synchronized (this) {
            connecting = null;
            if (f.isSuccess()) {
                if (closed) {
                    f.channel().close();
                } else {
                    channel = f.channel();
                }
            }
        }
        if (!f.isSuccess()) {
            log.warn("[gate {}] cannot connect to internal port {}: {}", gateId, endpoint, f.cause().toString());
            result.completeExceptionally(new GateDeliveryException(gateId, "cannot connect to " + endpoint, f.cause()));
            return;
        }
        Channel ch = f.channel();
        log.info("[gate {}] connected to internal port {} ({})", gateId, endpoint, ch.id().asShortText());
        ch.closeFuture().addListener(c -> onClosed(ch));
        result.complete(ch);
    }

    private void onClosed(Channel ch) {
        synchronized (this) {
            if (channel == ch) {
                channel = null;
            }
        }
        int lost = pending.size();
        log.info("[gate {}] disconnected from {} ({}), {} pushes unacknowledged; reconnecting on next push",
                gateId, endpoint, ch.id().asShortText(), lost);
        failPending("connection to " + endpoint + " closed before the GATE_PUSH_ACK");
    }

    /** Called by the ack handler on the event loop. */
    void acked(int requestId, GatePushAck ack) {
        CompletableFuture<GatePushAck> f = pending.get(requestId);
        if (f != null) {
            f.complete(ack);
        } else {
            log.debug("[gate {}] GATE_PUSH_ACK {} arrived after its timeout", gateId, requestId);
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
        for (Integer id : List.copyOf(pending.keySet())) {
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
            ch = channel;
            channel = null;
        }
        if (ch != null) {
            ch.close();
        }
        failPending("connection closed by the router");
    }
}
