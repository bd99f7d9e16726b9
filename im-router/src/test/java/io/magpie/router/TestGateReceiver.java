package io.magpie.router;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import io.magpie.protocol.proto.LinkReady;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only stand-in for a gate's internal port (im-router must not depend on im-gate): decodes
 * frames with the real {@link FrameDecoder}, runs the gate's side of the link handshake from
 * docs/PROTOCOL.md with its own secret, records every GATE_PUSH and answers GATE_PUSH_ACK with the
 * same request id, as a gate does. It can play a hung gate (never acks) and report connections as
 * missing.
 */
final class TestGateReceiver implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final BlockingQueue<GatePush> received = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger authenticated = new AtomicInteger();
    private final Set<Long> missing = ConcurrentHashMap.newKeySet();
    private final Channel server;
    private final String gateId;
    private final LinkProofs proofs;
    private final int maxFrameBytes;
    private volatile boolean hung;

    TestGateReceiver(int port, String gateId, ClusterSecret secret) throws InterruptedException {
        this(port, gateId, secret, 1 << 20);
    }

    TestGateReceiver(int port, String gateId, ClusterSecret secret, int maxFrameBytes) throws InterruptedException {
        this.gateId = gateId;
        this.proofs = new LinkProofs(secret);
        this.maxFrameBytes = maxFrameBytes;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline()
                                .addLast("frameDecoder", new FrameDecoder(maxFrameBytes))
                                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                                .addLast("gate", new GateSide());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    /** One connection's state: handshake first, then GATE_PUSH. */
    private final class GateSide extends SimpleChannelInboundHandler<Frame> {
        private byte[] routerNonce;
        private byte[] gateNonce;
        private String routerId;
        private boolean ready;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws Exception {
            if (frame.is(Command.LINK_HELLO)) {
                LinkHello hello = LinkHello.parseFrom(frame.body());
                routerNonce = hello.getRouterNonce().toByteArray();
                routerId = hello.getRouterId();
                gateNonce = proofs.newNonce();
                ctx.writeAndFlush(Frames.of(Command.LINK_CHALLENGE, frame.requestId(), LinkChallenge.newBuilder()
                        .setGateNonce(ByteString.copyFrom(gateNonce)).setGateId(gateId)
                        .setGateProof(ByteString.copyFrom(proofs.gateProof(routerNonce, gateNonce, gateId, routerId)))
                        .setMaxFrameBytes(maxFrameBytes).build()));
            } else if (frame.is(Command.LINK_PROOF)) {
                LinkProof proof = LinkProof.parseFrom(frame.body());
                if (!proofs.isRouterProof(proof.getRouterProof().toByteArray(), routerNonce, gateNonce, gateId,
                        routerId)) {
                    ctx.close();
                    return;
                }
                ready = true;
                authenticated.incrementAndGet();
                ctx.writeAndFlush(Frames.of(Command.LINK_READY, frame.requestId(), LinkReady.getDefaultInstance()));
            } else if (frame.is(Command.GATE_PUSH)) {
                if (!ready) {
                    ctx.close();
                    return;
                }
                GatePush push = GatePush.parseFrom(frame.body());
                received.add(push);
                if (hung) {
                    return;
                }
                GatePushAck.Builder ack = GatePushAck.newBuilder();
                push.getConnectionsList().forEach(c -> {
                    if (missing.contains(c.getConnectionId())) {
                        ack.addMissingConnectionIds(c.getConnectionId());
                    } else {
                        ack.setWritten(ack.getWritten() + 1);
                    }
                });
                ctx.writeAndFlush(Frames.of(Command.GATE_PUSH_ACK, frame.requestId(), ack.build()));
            }
        }
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections the router opened so far. */
    int connections() {
        return connections.get();
    }

    /** Connections that completed the handshake. */
    int authenticated() {
        return authenticated.get();
    }

    /** From now on GATE_PUSH frames are recorded but never acknowledged. */
    void hang() {
        hung = true;
    }

    /** From now on {@code connectionId} is reported in missing_connection_ids. */
    void reportMissing(long connectionId) {
        missing.add(connectionId);
    }

    GatePush next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
