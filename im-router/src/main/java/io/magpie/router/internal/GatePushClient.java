package io.magpie.router.internal;

import io.magpie.registry.GateInfo;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.GatePushAck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Step 7's wire: keeps ONE long-lived TCP connection per gate (to the gate's internal port, with
 * the same frame codec as clients, authenticated both ways on the cluster secret before any push)
 * and sends GATE_PUSH frames over it, each acknowledged by a GATE_PUSH_ACK with the same request id.
 * A dropped connection is opened again on the next push; a gate that moved to another address gets a
 * new connection; a link write-idle for {@code pingInterval} sends a PING so the gate keeps it.
 *
 * <p>Thread-safe. Owns its event loop group: {@link #close()} closes every connection.
 */
public final class GatePushClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final Duration connectTimeout;
    private final Duration ackTimeout;
    private final int maxFrameBytes;
    private final LinkProofs proofs;
    private final String routerId;
    private final int maxAckTimeouts;
    private final Duration pingInterval;
    private final Map<String, GateConnection> connections = new ConcurrentHashMap<>();

    /**
     * @param connectTimeout TCP connect timeout, and again the time the gate has to complete the handshake
     * @param maxAckTimeouts consecutive ack timeouts after which a gate's connection is closed and reopened
     */
    public GatePushClient(Duration connectTimeout, Duration ackTimeout, int maxFrameBytes, ClusterSecret secret,
            String routerId, int maxAckTimeouts, Duration pingInterval) {
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("router-gate-io", true));
        this.connectTimeout = connectTimeout;
        this.ackTimeout = ackTimeout;
        this.maxFrameBytes = maxFrameBytes;
        this.proofs = new LinkProofs(secret);
        this.routerId = routerId;
        this.maxAckTimeouts = maxAckTimeouts;
        this.pingInterval = pingInterval;
    }

    /** Whether pushes to {@code gateId} were acknowledged lately (true for a gate not connected yet). */
    public boolean healthy(String gateId) {
        GateConnection connection = connections.get(gateId);
        return connection == null || connection.healthy();
    }

    /**
     * Sends {@code pushes} to {@code gate} (flushed once) and completes when every one of them is
     * acknowledged; fails with {@link GateDeliveryException} when the gate cannot be reached, drops
     * the connection or does not answer within the ack timeout.
     */
    public CompletableFuture<List<GatePushAck>> deliver(GateInfo gate, List<GatePush> pushes) {
        InetSocketAddress address = InetSocketAddress.createUnresolved(gate.host(), gate.internalPort());
        GateConnection connection = connections.compute(gate.gateId(), (id, existing) -> {
            if (existing != null && existing.address().equals(address)) {
                return existing;
            }
            if (existing != null) {
                existing.close(); // the gate restarted elsewhere: the old address is dead
            }
            return newConnection(id, address);
        });
        return connection.send(pushes);
    }

    /** Closes the connection of a gate that left the registry. */
    public void forget(String gateId) {
        GateConnection connection = connections.remove(gateId);
        if (connection != null) {
            connection.close();
        }
    }

    private GateConnection newConnection(String gateId, InetSocketAddress address) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        GateConnection connection = new GateConnection(gateId, address, bootstrap, ackTimeout, maxAckTimeouts);
        bootstrap.handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, pingInterval.toMillis(), 0, TimeUnit.MILLISECONDS))
                        .addLast("frameDecoder", new FrameDecoder(maxFrameBytes))
                        .addLast("frameEncoder", FrameEncoder.INSTANCE)
                        .addLast("linkHandshake", new GateLinkHandshake(gateId, routerId, proofs, connectTimeout))
                        .addLast("gatePushAcks", new GatePushAckHandler(connection));
            }
        });
        return connection;
    }

    @Override
    public void close() {
        for (String gateId : List.copyOf(connections.keySet())) {
            forget(gateId);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
