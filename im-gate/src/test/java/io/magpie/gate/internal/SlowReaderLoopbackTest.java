package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.gate.GateConfig;
import io.magpie.gate.GateLimits;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Push;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that never reads, on a real loopback socket, while thousands of pushes are addressed to it
 * and to a client that reads (issue 8 point 3): the gate's client stages on a real NIO listener, fed
 * through the internal push handler as a router would. No infrastructure needed: routes and the bus
 * are the harness's recording seams.
 */
class SlowReaderLoopbackTest {

    private static final int MAX_OUTBOUND = 256 << 10;
    private static final int PUSHES = 3000;
    private static final int BODY = 1024;

    private final LoginHarness harness = new LoginHarness();
    private final EventLoopGroup loops = new NioEventLoopGroup(2);
    private Channel server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private int startGate() {
        GateLimits limits = GateLimits.defaults().toBuilder()
                .writeBufferLowBytes(16 << 10).writeBufferHighBytes(32 << 10)
                .maxOutboundBytes(MAX_OUTBOUND).unwritableTimeout(Duration.ofMinutes(5))
                .build();
        GateConfig config = harness.config.toBuilder().limits(limits).build();
        ClientPipeline stages = new ClientPipeline(config, harness.clock, harness.ticker, harness.upstream,
                harness.services);
        server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        stages.addClientStages(ch.pipeline(), "tcp");
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** A raw client socket that logged in; {@code receiveBuffer} small for the one that will not read. */
    private Socket loggedIn(int port, long uid, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.writeTo(LoginHarness.login(1, harness.token(uid, "d" + uid)), out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        socket.getOutputStream().write(bytes);
        socket.setSoTimeout(15_000);
        Frame ack = new FrameReader(socket).next();
        assertEquals(Command.LOGIN_ACK.code(), ack.command());
        return socket;
    }

    private static Frame gatePush(int i, Session... to) {
        Push push = Push.newBuilder().addMessages(Message.newBuilder().setConversationId("g_7").setSeq(i + 1)
                .setMsgId(10_000 + i).setContent(MessageContent.newBuilder().setType(MessageType.TEXT)
                        .setText("x".repeat(BODY)))).build();
        GatePush.Builder gatePush = GatePush.newBuilder().setCommand(Command.PUSH.code())
                .setBody(ByteString.copyFrom(push.toByteArray()));
        for (Session s : to) {
            gatePush.addConnections(ConnectionRef.newBuilder().setConnectionId(s.connectionId()).setUid(s.uid()));
        }
        return Frames.of(Command.GATE_PUSH, i, gatePush.build());
    }

    @Test
    void aClientThatNeverReadsIsClosedWithItsBufferedBytesBoundedWhileAReadingClientGetsEveryPush()
            throws Exception {
        int port = startGate();
        try (Socket slow = loggedIn(port, 100, 4096); Socket reader = loggedIn(port, 200, 1 << 16)) {
            Session slowSession = harness.sessions.byDevice(100, "d100");
            Session readerSession = harness.sessions.byDevice(200, "d200");
            assertNotNull(slowSession);
            assertNotNull(readerSession);
            FrameReader frames = new FrameReader(reader);
            Thread readerThread = new Thread(() -> frames.countUntil(PUSHES), "reading-client");
            readerThread.start();

            EmbeddedChannel router = new EmbeddedChannel(new GatePushHandler("gate-a", harness.sessions));
            long maxQueued = 0;
            for (int i = 0; i < PUSHES; i++) {
                router.writeInbound(gatePush(i, slowSession, readerSession));
                router.outboundMessages().clear();
                maxQueued = Math.max(maxQueued, queued(slowSession.channel()));
            }
            assertTrue(slowSession.channel().closeFuture().await(15, TimeUnit.SECONDS),
                    "the client that does not read is closed");
            readerThread.join(30_000);

            assertEquals(PUSHES, frames.seqs.size(), "the reading client got every push");
            assertTrue(readerSession.channel().isActive(), "and stays connected");
            // the limit plus the one write that tripped it and Netty's per-write bookkeeping
            assertTrue(maxQueued <= MAX_OUTBOUND + 2 * (BODY + 200),
                    "queued for the non-reader: " + maxQueued + " bytes, limit " + MAX_OUTBOUND);
        }
    }

    private static long queued(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** Reads frames off a blocking socket. */
    private static final class FrameReader {
        private final InputStream in;
        private final FrameParser parser = new FrameParser(1 << 20);
        private final ByteBuf buffer = Unpooled.buffer();
        /** Seqs of the PUSH frames seen: a resend of an unacked one is not counted twice. */
        final Set<Long> seqs = ConcurrentHashMap.newKeySet();

        FrameReader(Socket socket) throws IOException {
            this.in = socket.getInputStream();
        }

        Frame next() throws IOException {
            byte[] chunk = new byte[16 << 10];
            while (true) {
                Frame frame = parser.next(buffer);
                if (frame != null) {
                    buffer.discardReadBytes();
                    return frame;
                }
                int n = in.read(chunk);
                if (n < 0) {
                    return null;
                }
                buffer.writeBytes(chunk, 0, n);
            }
        }

        void countUntil(int expected) {
            try {
                while (seqs.size() < expected) {
                    Frame frame = next();
                    if (frame == null) {
                        return;
                    }
                    if (frame.command() == Command.PUSH.code()) {
                        seqs.add(Push.parseFrom(frame.body()).getMessages(0).getSeq());
                    }
                }
            } catch (IOException e) {
                // the assertion on the count reports it
            }
        }
    }
}
