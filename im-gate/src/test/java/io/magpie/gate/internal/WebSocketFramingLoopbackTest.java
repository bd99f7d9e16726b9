package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.GateConfig;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.SyncRequest;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the gate reads WebSocket messages (PROTOCOL.md §2), against its real WebSocket pipeline on a loopback
 * socket: payloads are a byte stream like TCP (several frames per message beyond one frame's size, a frame
 * split across messages), an oversized frame is answered like on TCP, and closes carry the documented codes.
 */
class WebSocketFramingLoopbackTest {

    private final LoginHarness harness = new LoginHarness();
    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private Channel server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private int startGate() {
        GateConfig config = harness.config;
        WebSocketClientInitializer ws = new WebSocketClientInitializer(harness.pipeline,
                new ClientConnections("gate-a", 1000, Clock.systemUTC()), "/ws", config.maxFrameBytes());
        server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class).childHandler(ws)
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static byte[] bytes(Frame... frames) {
        ByteBuf buf = Unpooled.buffer();
        for (Frame f : frames) {
            FrameEncoder.writeTo(f, buf);
        }
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    /** A SYNC padded with an unknown field to {@code bodyBytes}: the gate forwards it untouched. */
    private static Frame bigSync(int requestId, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        byte[] head = SyncRequest.newBuilder().setLimit(1).build().toByteArray();
        System.arraycopy(head, 0, body, 0, head.length);
        // field 15, wire type 2 (length-delimited), with a 3-byte varint length covering the rest
        int rest = bodyBytes - head.length - 4;
        body[head.length] = (byte) 0x7a;
        body[head.length + 1] = (byte) (0x80 | (rest & 0x7f));
        body[head.length + 2] = (byte) (0x80 | ((rest >>> 7) & 0x7f));
        body[head.length + 3] = (byte) (rest >>> 14);
        return new Frame(Command.SYNC.code(), requestId, 0, body);
    }

    @Test
    void oneMessageCarriesSeveralFramesLargerTogetherThanOneFrameAndAFrameMaySpanMessages() throws Exception {
        try (WsClient client = new WsClient(startGate())) {
            byte[] login = bytes(LoginHarness.login(1, harness.token(100, "d100")));
            // LOGIN split over two messages, the second holding its tail and two 60,000-byte frames
            byte[] tail = bytes(bigSync(2, 60_000), bigSync(3, 60_000));
            client.sendBinary(Arrays.copyOfRange(login, 0, 20));
            client.sendBinary(concat(Arrays.copyOfRange(login, 20, login.length), tail));
            Frame ack = client.nextFrame();
            assertEquals(Command.LOGIN_ACK.code(), ack.command(), ack.toString());
            client.sendBinary(bytes(Frames.of(Command.PING, 4, io.magpie.protocol.proto.Ping.getDefaultInstance())));
            Frame pong = client.nextFrame();
            assertEquals(Command.PONG.code(), pong.command(), "no ERROR came before the PONG: " + pong);
            assertEquals(4, pong.requestId());
            List<Integer> forwarded = new ArrayList<>();
            // published on the gate's event loop before it answered the PING that came after them
            harness.upstream.published.forEach(e -> forwarded.add(e.getValue().getRequestId()));
            assertEquals(List.of(2, 3), forwarded, "both SYNCs of the 120 KB message reached logic");
        }
    }

    @Test
    void aFrameOverTheBodyLimitGetsFrameTooLargeThenACloseLikeTcp() throws Exception {
        try (WsClient client = new WsClient(startGate())) {
            byte[] header = Arrays.copyOf(bytes(new Frame(Command.LOGIN.code(), 1, 0, new byte[0])), 14);
            header[10] = 0;
            header[11] = 1; // body length 65,537
            header[12] = 0;
            header[13] = 1;
            client.sendBinary(header);
            Frame error = client.nextFrame();
            assertEquals(Command.ERROR.code(), error.command());
            assertEquals(0, error.requestId());
            assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), Error.parseFrom(error.body()).getCode());
            assertEquals(1000, client.closeCode(), "then a close frame, status 1000");
        }
    }

    @Test
    void aWebSocketFrameOverTheListenersLimitGetsFrameTooLargeThenClose1009() throws Exception {
        int limit = WebSocketClientInitializer.maxWebSocketFrameBytes(harness.config.maxFrameBytes());
        try (WsClient client = new WsClient(startGate())) {
            client.sendBinary(new byte[limit + 1]);
            Frame error = client.nextFrame();
            assertEquals(Command.ERROR.code(), error.command());
            assertEquals(0, error.requestId());
            Error body = Error.parseFrom(error.body());
            assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), body.getCode());
            assertTrue(body.getMessage().contains("limit of " + limit + " payload bytes"), body.getMessage());
            assertEquals(1009, client.closeCode(), "then a close frame, status 1009 (message too big)");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A WebSocket client reading Magpie frames out of the binary messages. */
    private static final class WsClient implements AutoCloseable {
        private final RawWebSocket ws;
        private final ByteBuf received = Unpooled.buffer();
        private final FrameParser parser = new FrameParser(1 << 20);
        private int closeCode = -1;

        WsClient(int port) throws IOException {
            ws = new RawWebSocket(port, 0);
        }

        void sendBinary(byte[] payload) throws IOException {
            byte[] frame = RawWebSocket.clientFrame(0x2, payload);
            try {
                ws.out.write(frame);
                ws.out.flush();
            } catch (SocketException closedMeanwhile) {
                // the gate may close while the rest of an oversized frame is still on its way
            }
        }

        /** The next Magpie frame from the binary messages; fails at the close. */
        Frame nextFrame() throws IOException {
            while (true) {
                Frame frame = parser.next(received);
                if (frame != null) {
                    return frame;
                }
                byte[] payload = nextBinary();
                assertNotNull(payload, "the gate closed (status " + closeCode + ") before a frame came");
                received.writeBytes(payload);
            }
        }

        /** Reads up to the close frame and returns its status code (-1: the connection ended without one). */
        int closeCode() throws IOException {
            while (nextBinary() != null) {
                // skip
            }
            return closeCode;
        }

        private byte[] nextBinary() throws IOException {
            for (RawWebSocket.ServerFrame frame; (frame = ws.next()) != null; ) {
                byte[] payload = frame.payload();
                if (frame.opcode() == 0x8) {
                    closeCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 0;
                    return null;
                }
                if (frame.opcode() == 0x2 || frame.opcode() == 0x0) {
                    return payload;
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            ws.close();
        }
    }
}
