package io.magpie.router;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only stand-in for a gate's internal port (im-router must not depend on im-gate): decodes
 * frames with the real {@link FrameDecoder}, records every GATE_PUSH and answers GATE_PUSH_ACK with
 * the same request id, as CONTRACTS.md says a gate does.
 */
final class TestGateReceiver implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final BlockingQueue<GatePush> received = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Channel server;

    TestGateReceiver(int port) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline()
                                .addLast("frameDecoder", new FrameDecoder(1 << 20))
                                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                                .addLast("gatePush", new SimpleChannelInboundHandler<Frame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws Exception {
                                        if (!frame.is(Command.GATE_PUSH)) {
                                            return;
                                        }
                                        GatePush push = GatePush.parseFrom(frame.body());
                                        received.add(push);
                                        ctx.writeAndFlush(Frames.of(Command.GATE_PUSH_ACK, frame.requestId(),
                                                GatePushAck.newBuilder().setWritten(push.getConnectionsCount()).build()));
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections the router opened so far. */
    int connections() {
        return connections.get();
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
