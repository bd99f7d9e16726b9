package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Broken frame headers on the gate's internal port (docs/PROTOCOL.md §13.1: refusals before LINK_READY
 * are silent closes), against the real {@link InternalPushInitializer} on a loopback socket. After the
 * handshake the same bytes are answered with ERROR, so the silent cases can fail.
 */
class InternalPortFramingTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("internal-port-framing-test-secret-0123456789");
    private static final int MAX_FRAME_BYTES = 1 << 20;

    private final LoginHarness harness = new LoginHarness();
    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private Channel server;
    private int port;

    @BeforeEach
    void start() {
        server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new InternalPushInitializer("gate-a", MAX_FRAME_BYTES, new LinkProofs(SECRET),
                        Duration.ofSeconds(30), Duration.ofSeconds(30), () -> new GatePushHandler("gate-a", harness.sessions),
                        new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)))
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void stop() {
        server.close().awaitUninterruptibly();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** Header: magic 4D47, version, flags, command u16, request id u32, body length u32. */
    private static final byte[] BAD_MAGIC = "GET / HTTP/1.1\r\n\r\n".getBytes();
    private static final byte[] BAD_VERSION = hex("4D47 02 00 1003 00000001 00000000");
    private static final byte[] OVERSIZED = hex("4D47 01 00 1003 00000001 7FFFFFFF");

    @Test
    void aBadMagicBeforeTheHandshakeIsClosedWithoutAWord() throws Exception {
        assertArrayEquals(new byte[0], answerTo(BAD_MAGIC, false), "a silent close, no ERROR frame");
    }

    @Test
    void anUnsupportedVersionBeforeTheHandshakeIsClosedWithoutAWord() throws Exception {
        assertArrayEquals(new byte[0], answerTo(BAD_VERSION, false), "a silent close, no ERROR frame");
    }

    @Test
    void aLengthOverTheLimitBeforeTheHandshakeIsClosedWithoutAWord() throws Exception {
        assertArrayEquals(new byte[0], answerTo(OVERSIZED, false), "a silent close, no ERROR frame");
    }

    @Test
    void onAnAuthenticatedLinkABrokenHeaderIsAnsweredWithErrorThenClosed() throws Exception {
        byte[] answer = answerTo(BAD_MAGIC, true);
        Frame error = new FrameParser(MAX_FRAME_BYTES).next(Unpooled.wrappedBuffer(answer));
        assertEquals(Command.ERROR.code(), error.command());
        assertEquals(ErrorCode.BAD_MAGIC.code(), Error.parseFrom(error.body()).getCode());
    }

    /** Everything the gate sends after {@code bytes} until it closes (after the handshake, if asked). */
    private byte[] answerTo(byte[] bytes, boolean handshakeFirst) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            InputStream in = socket.getInputStream();
            FrameParser parser = new FrameParser(MAX_FRAME_BYTES);
            ByteBuf buffer = Unpooled.buffer();
            if (handshakeFirst) {
                handshake(socket, in, parser, buffer);
            }
            socket.getOutputStream().write(bytes);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            buffer.readBytes(got, buffer.readableBytes());
            byte[] chunk = new byte[4096];
            try {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    got.write(chunk, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // closed with a reset: what arrived before counts
            }
            return got.toByteArray();
        }
    }

    private static void handshake(Socket socket, InputStream in, FrameParser parser, ByteBuf buffer)
            throws IOException {
        LinkProofs proofs = new LinkProofs(SECRET);
        byte[] routerNonce = proofs.newNonce();
        send(socket, Frames.of(Command.LINK_HELLO, 1, LinkHello.newBuilder()
                .setRouterNonce(ByteString.copyFrom(routerNonce)).setRouterId("r1").build()));
        LinkChallenge challenge = LinkChallenge.parseFrom(read(in, parser, buffer, Command.LINK_CHALLENGE).body());
        send(socket, Frames.of(Command.LINK_PROOF, 2, LinkProof.newBuilder().setRouterProof(ByteString.copyFrom(
                proofs.routerProof(routerNonce, challenge.getGateNonce().toByteArray(), "gate-a", "r1"))).build()));
        read(in, parser, buffer, Command.LINK_READY);
    }

    private static void send(Socket socket, Frame frame) throws IOException {
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.writeTo(frame, out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        socket.getOutputStream().write(bytes);
    }

    private static Frame read(InputStream in, FrameParser parser, ByteBuf buffer, Command expected)
            throws IOException {
        byte[] chunk = new byte[4096];
        while (true) {
            Frame frame = parser.next(buffer);
            if (frame != null) {
                buffer.discardReadBytes();
                assertEquals(expected.code(), frame.command(), "handshake step");
                return frame;
            }
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("closed during the handshake, waiting for " + expected);
            }
            buffer.writeBytes(chunk, 0, n);
        }
    }
}
