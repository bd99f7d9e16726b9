package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.GateConfig;
import io.magpie.gate.GateLimits;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.Error;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket pings against the gate's real WebSocket pipeline on a loopback socket
 * (tools/probe/repro/repro_wsping.py and repro_wsping_anon.py): pings spend the frame budget before and
 * after login, and a client that pings without reading never gets pongs queued past the write buffer.
 * The budget clock is the harness's hand-moved ticker, which stands still: a burst is all there is.
 */
class WebSocketPingLoopbackTest {

    private static final int HIGH_WATER = 8 << 10;
    private static final int MAX_OUTBOUND = 64 << 10;
    private static final int PING_PAYLOAD = 125;

    private final LoginHarness harness = new LoginHarness();
    private final EventLoopGroup loops = new NioEventLoopGroup(2);
    private final LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private Channel server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /**
     * @param smallSendBuffer a 4 KiB socket send buffer, so that the kernel does not take (and hide) what
     *                        the gate queues for a client that does not read
     */
    private int startGate(GateLimits.Builder limits, boolean smallSendBuffer) {
        GateConfig config = harness.config.toBuilder().limits(limits
                .writeBufferLowBytes(4 << 10).writeBufferHighBytes(HIGH_WATER).maxOutboundBytes(MAX_OUTBOUND)
                .build()).build();
        ClientPipeline stages = new ClientPipeline(config, harness.clock, harness.ticker, harness.upstream,
                harness.services);
        WebSocketClientInitializer ws = new WebSocketClientInitializer(stages,
                new ClientConnections("gate-a", 1000, Clock.systemUTC()), "/ws", config.maxFrameBytes());
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class);
        if (smallSendBuffer) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, 4096);
        }
        server = bootstrap
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(ws);
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Test
    void aClientThatPingsAndNeverReadsGetsNoPongsQueuedPastTheWriteBufferAndIsClosed() throws Exception {
        // a budget that admits every ping: what bounds the output here is writability alone
        int port = startGate(GateLimits.defaults().toBuilder().frames(1, 1_000_000)
                .unwritableTimeout(Duration.ofMillis(500)), true);
        try (WsClient client = new WsClient(port, 4096)) {
            client.login(harness.token(100, "d100"));
            Channel channel = accepted.poll(5, TimeUnit.SECONDS);
            assertNotNull(channel);

            long maxQueued = 0;
            int sent = 0;
            byte[] block = WsClient.pings(1000);
            try {
                while (sent < 100_000) {
                    client.out.write(block);
                    sent += 1000;
                    maxQueued = Math.max(maxQueued, queued(channel));
                }
            } catch (IOException closed) {
                // the gate closed the connection meanwhile
            }
            assertTrue(channel.closeFuture().await(15, TimeUnit.SECONDS),
                    "gate.limits.unwritable-timeout closes the client that does not read (" + sent + " pings sent)");
            // the high water mark, the pong that crossed it, and Netty's per-message bookkeeping
            assertTrue(maxQueued <= HIGH_WATER + 1024,
                    "queued for the non-reader: " + maxQueued + " bytes; high water mark " + HIGH_WATER);
        }
    }

    @Test
    void pingsAfterLoginSpendTheFrameBudgetAndAFloodIsRateLimitedThenClosed() throws Exception {
        int port = startGate(GateLimits.defaults().toBuilder().frames(10, 20).maxRefusals(5), false);
        try (WsClient client = new WsClient(port, 1 << 16)) {
            client.login(harness.token(200, "d200"));
            client.out.write(WsClient.pings(1000));

            Received got = client.readUntilClosed();
            assertEquals(20, got.pongs, "the burst of gate.limits.frame-burst=20 is answered, no more");
            assertTrue(got.errors.size() >= 2, "refused pings are answered with RATE_LIMITED: " + got.errors);
            for (Error error : got.errors) {
                assertEquals(ErrorCode.RATE_LIMITED.code(), error.getCode(), error.toString());
            }
            assertTrue(got.errors.get(0).getMessage().contains("a WebSocket ping over this connection's budget"
                    + " of 10 per second, bursts of 20 (gate.limits.frames-per-second=10, gate.limits.frame-burst=20)"), got.errors.get(0).getMessage());
            assertTrue(got.errors.get(got.errors.size() - 1).getMessage().contains("closing connection"),
                    "persistent abuse closes the connection");
        }
    }

    @Test
    void pingsBeforeLoginHaveTheirOwnBudgetAndAFloodClosesTheConnection() throws Exception {
        int port = startGate(GateLimits.defaults().toBuilder().frames(10, 20), false);
        try (WsClient client = new WsClient(port, 1 << 16)) {
            client.out.write(WsClient.pings(1000));

            Received got = client.readUntilClosed();
            assertEquals(20, got.pongs, "the burst is answered before login too");
            assertEquals(1, got.errors.size(), "one RATE_LIMITED, then the close: " + got.errors);
            assertEquals(ErrorCode.RATE_LIMITED.code(), got.errors.get(0).getCode());
            assertTrue(got.errors.get(0).getMessage().contains("WebSocket pings before LOGIN"),
                    got.errors.get(0).getMessage());
        }
    }

    private static long queued(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** What a reading client got before the gate closed: pongs counted, ERROR bodies kept. */
    private record Received(int pongs, List<Error> errors) {
    }

    /** A WebSocket client that logs in, pings and counts pongs. */
    private static final class WsClient implements AutoCloseable {
        private final RawWebSocket ws;
        private final OutputStream out;

        WsClient(int port, int receiveBuffer) throws IOException {
            ws = new RawWebSocket(port, receiveBuffer);
            out = ws.out;
        }

        void login(String token) throws IOException {
            ByteBuf buf = Unpooled.buffer();
            FrameEncoder.writeTo(LoginHarness.login(1, token), buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.write(RawWebSocket.clientFrame(0x2, bytes));
            byte[] payload = nextMessage();
            assertNotNull(payload, "LOGIN_ACK");
            Frame ack = new FrameParser(1 << 20).next(Unpooled.wrappedBuffer(payload));
            assertEquals(Command.LOGIN_ACK.code(), ack.command());
        }

        static byte[] pings(int count) {
            byte[] one = RawWebSocket.clientFrame(0x9, new byte[PING_PAYLOAD]);
            byte[] all = new byte[one.length * count];
            for (int i = 0; i < count; i++) {
                System.arraycopy(one, 0, all, i * one.length, one.length);
            }
            return all;
        }

        /** The next binary message's payload, counting pongs into {@code pongs}; null at the close. */
        byte[] nextMessage(int[] pongs) throws IOException {
            for (RawWebSocket.ServerFrame frame; (frame = ws.next()) != null; ) {
                if (frame.opcode() == 0xA) {
                    pongs[0]++;
                } else if (frame.opcode() == 0x8) {
                    return null;
                } else if (frame.opcode() == 0x2) {
                    return frame.payload();
                }
            }
            return null;
        }

        byte[] nextMessage() throws IOException {
            return nextMessage(new int[1]);
        }

        Received readUntilClosed() throws IOException {
            int[] pongs = new int[1];
            List<Error> errors = new ArrayList<>();
            FrameParser parser = new FrameParser(1 << 20);
            for (byte[] payload; (payload = nextMessage(pongs)) != null; ) {
                Frame frame = parser.next(Unpooled.wrappedBuffer(payload));
                if (frame != null && frame.command() == Command.ERROR.code()) {
                    errors.add(Error.parseFrom(frame.body()));
                }
            }
            return new Received(pongs[0], errors);
        }

        @Override
        public void close() throws IOException {
            ws.close();
        }
    }
}
