package io.magpie.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.magpie.protocol.Allocations;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of the WebSocket path a gate runs after the upgrade (docs/guarantees.md,
 * "Fuzzing"): Netty's WebSocket protocol handler configured as the gate configures it, then
 * {@link WebSocketFrameAdapter} and {@link FrameDecoder}. Whatever bytes a client sends after the
 * handshake: the adapter is transparent (the frames decoded are exactly those in the concatenated
 * binary and continuation payloads), a text message is refused with a fatal BAD_REQUEST, and the only
 * exceptions are Netty's {@link CorruptedWebSocketFrameException} for broken WebSocket framing and our
 * {@link FrameDecodingException}; the memory spent stays proportional to the bytes sent.
 */
class WebSocketFrameAdapterFuzzTest {

    private static final int MAX_FRAME_BYTES = 1024;
    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.BAD_MAGIC,
            ErrorCode.UNSUPPORTED_VERSION, ErrorCode.FRAME_TOO_LARGE);
    /** As the gate's WebSocketClientInitializer configures it. */
    private static final WebSocketServerProtocolConfig WS_CONFIG = WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/ws").maxFramePayloadLength(MAX_FRAME_BYTES + Frame.HEADER_BYTES)
            .checkStartsWith(false).build();

    /** Copies the payloads that reach the adapter, to check it against a bare parser. */
    private static final class PayloadRecorder extends ChannelInboundHandlerAdapter {
        final ByteBuf carried = Unpooled.buffer();
        boolean textSeen;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                ByteBuf content = ((WebSocketFrame) msg).content();
                carried.writeBytes(content, content.readerIndex(), content.readableBytes());
            } else if (msg instanceof TextWebSocketFrame) {
                textSeen = true;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** What one run of a stream through the channel produced. */
    private record Outcome(List<Frame> decoded, Throwable violation, byte[] carried, boolean textSeen) {
    }

    static {
        // A broken stream can raise several exceptions; the channel logs all but the first, which
        // would slow fuzzing to a crawl. The first is the one asserted on.
        ((Logger) LoggerFactory.getLogger(EmbeddedChannel.class)).setLevel(Level.ERROR);
    }

    @FuzzTest
    void webSocketStream(FuzzedDataProvider data) {
        byte[] stream = data.consumeBoolean() ? encodedMessages(data) : data.consumeRemainingAsBytes();

        Outcome[] result = new Outcome[1];
        Allocations.assertBounded(() -> result[0] = run(stream), stream.length,
                "a WebSocket stream of " + stream.length + " bytes");
        Outcome outcome = result[0];

        Throwable violation = outcome.violation();
        if (violation instanceof FrameDecodingException fde) {
            ProtocolException pe = fde.protocolException();
            assertTrue(pe.fatal(), "a decoding violation must close the connection");
            // A text message is refused as BAD_REQUEST, unless the binary payloads before it broke first.
            assertTrue(REFUSALS.contains(pe.code()), "refused with " + pe.code());
        } else if (violation == null) {
            assertFalse(outcome.textSeen(), "a text message was accepted");
        }

        // Transparency: the frames decoded are those the bare parser finds in the carried payloads.
        FrameParser parser = new FrameParser(MAX_FRAME_BYTES);
        ByteBuf carried = Unpooled.wrappedBuffer(outcome.carried());
        List<Frame> expected = new ArrayList<>();
        try {
            for (Frame f = parser.next(carried); f != null; f = parser.next(carried)) {
                expected.add(f);
            }
        } catch (ProtocolException e) {
            // The channel reports its first violation: ours, or a WebSocket one raised before it.
            assertTrue(violation != null, "the payloads break the frame grammar but the channel accepted them");
        }
        assertEquals(expected, outcome.decoded(), "the adapter changed the frames carried by binary messages");
    }

    private static Outcome run(byte[] stream) {
        EmbeddedChannel channel = upgradedChannel();
        PayloadRecorder recorder = new PayloadRecorder();
        channel.pipeline().addBefore("ws-adapter", "payload-recorder", recorder);
        List<Frame> decoded = new ArrayList<>();
        Throwable violation = null;
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(stream));
        } catch (FrameDecodingException | CorruptedWebSocketFrameException e) {
            violation = e;
        } catch (RuntimeException e) {
            fail("the WebSocket path raised " + e + "; only CorruptedWebSocketFrameException and"
                    + " FrameDecodingException are expected", e);
        }
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            decoded.add((Frame) o);
        }
        byte[] carried = ByteBufUtil.getBytes(recorder.carried);
        recorder.carried.release();
        channel.finishAndReleaseAll();
        return new Outcome(decoded, violation, carried, recorder.textSeen);
    }

    /**
     * A server channel as the gate's WebSocket pipeline is after the upgrade: the frame decoder and
     * encoder the handshaker installs (with the gate's decoder settings), the protocol handler (control
     * frames, UTF-8 validation of text), then the adapter and the frame decoder. Built directly rather
     * than through an HTTP upgrade per input, which would cost most of each run.
     */
    private static EmbeddedChannel upgradedChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline()
                .addLast("wsdecoder", new WebSocket08FrameDecoder(WS_CONFIG.decoderConfig()))
                .addLast("wsencoder", new WebSocket08FrameEncoder(false))
                .addLast("ws-protocol", new WebSocketServerProtocolHandler(WS_CONFIG))
                .addLast("ws-adapter", WebSocketFrameAdapter.INSTANCE)
                .addLast("frame-decoder", new FrameDecoder(MAX_FRAME_BYTES));
        // The protocol handler put its handshake stage in front of itself; a completed upgrade removes it.
        channel.pipeline().names().stream()
                .filter(name -> channel.pipeline().get(name) != null
                        && channel.pipeline().get(name).getClass().getSimpleName().equals("WebSocketServerProtocolHandshakeHandler"))
                .findFirst().ifPresent(channel.pipeline()::remove);
        return channel;
    }

    /** Fuzzed WebSocket messages, masked as a browser sends them, so the fuzzer reaches the adapter fast. */
    private static byte[] encodedMessages(FuzzedDataProvider data) {
        EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(true));
        int count = data.consumeInt(1, 6);
        for (int i = 0; i < count; i++) {
            boolean fin = data.consumeBoolean();
            int rsv = data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 7) : 0;
            int type = data.consumeInt(0, 5);
            byte[] bytes = data.consumeBoolean() ? magpieFrame(data) : data.consumeBytes(data.consumeInt(0, 2 * MAX_FRAME_BYTES));
            if (type >= 2 && type <= 4 && bytes.length > 125) {
                bytes = Arrays.copyOf(bytes, 125); // a control frame carries at most 125 bytes (RFC 6455)
            }
            ByteBuf payload = Unpooled.wrappedBuffer(bytes);
            WebSocketFrame frame = switch (type) {
                case 0 -> new ContinuationWebSocketFrame(fin, rsv, payload);
                case 1 -> new TextWebSocketFrame(fin, rsv, payload);
                case 2 -> new PingWebSocketFrame(fin, rsv, payload);
                case 3 -> new PongWebSocketFrame(fin, rsv, payload);
                case 4 -> new CloseWebSocketFrame(fin, rsv, payload);
                default -> new BinaryWebSocketFrame(fin, rsv, payload);
            };
            encoder.writeOutbound(frame);
        }
        ByteBuf out = Unpooled.buffer();
        for (Object o = encoder.readOutbound(); o != null; o = encoder.readOutbound()) {
            ByteBuf part = (ByteBuf) o;
            out.writeBytes(part);
            part.release();
        }
        encoder.finishAndReleaseAll();
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    /** A well-formed Magpie frame (or one that claims more than it carries). */
    private static byte[] magpieFrame(FuzzedDataProvider data) {
        byte[] body = data.consumeBytes(data.consumeInt(0, MAX_FRAME_BYTES + 16));
        ByteBuf buf = Unpooled.buffer();
        FrameEncoder.writeTo(new Frame(data.consumeInt(0, 0xFFFF), data.consumeInt(), data.consumeInt(0, 0xFF), body), buf);
        if (data.consumeBoolean()) {
            buf.setInt(10, data.consumeInt()); // a body length that lies
        }
        byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        return bytes;
    }
}
