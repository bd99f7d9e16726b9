package io.magpie.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.SampleBodies;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Ping;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket stage between Netty's WebSocket protocol handler (which hands over whole
 * WebSocket frames) and the frame codec.
 */
class WebSocketFrameAdapterTest {

    private static EmbeddedChannel pipeline() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("ws-frames", WebSocketFrameAdapter.INSTANCE);
        channel.pipeline().addLast("frame-decoder", new FrameDecoder(65_536));
        channel.pipeline().addLast("frame-encoder", FrameEncoder.INSTANCE);
        channel.pipeline().addLast("protocol-errors", ProtocolErrorHandler.INSTANCE);
        return channel;
    }

    private static byte[] bytesOf(Frame... frames) {
        ByteBuf buf = Unpooled.buffer();
        for (Frame f : frames) {
            FrameEncoder.writeTo(f, buf);
        }
        return ByteBufUtil.getBytes(buf);
    }

    private static final Frame SEND = Frames.of(Command.SEND, 11, SampleBodies.sample(Command.SEND));
    private static final Frame PING = Frames.of(Command.PING, 12, Ping.getDefaultInstance());

    @Test
    void decodesTheFrameCarriedByABinaryMessage() {
        EmbeddedChannel channel = pipeline();
        BinaryWebSocketFrame message = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytesOf(SEND)));

        assertTrue(channel.writeInbound(message));

        assertEquals(SEND, channel.readInbound());
        assertNull(channel.readInbound());
        assertEquals(0, message.refCnt(), "the message's buffer was released by the decoder");
        assertTrue(channel.isOpen());
    }

    @Test
    void decodesSeveralFramesCarriedByOneBinaryMessage() {
        EmbeddedChannel channel = pipeline();
        BinaryWebSocketFrame message = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytesOf(PING, SEND)));

        channel.writeInbound(message);

        assertEquals(PING, channel.readInbound());
        assertEquals(SEND, channel.readInbound());
        assertEquals(0, message.refCnt());
    }

    @Test
    void decodesAFrameFragmentedIntoContinuationFrames() {
        EmbeddedChannel channel = pipeline();
        byte[] bytes = bytesOf(SEND);
        BinaryWebSocketFrame first = new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes, 0, 10));
        ContinuationWebSocketFrame rest = new ContinuationWebSocketFrame(true, 0,
                Unpooled.wrappedBuffer(bytes, 10, bytes.length - 10));

        assertFalse(channel.writeInbound(first));
        assertTrue(channel.writeInbound(rest));

        assertEquals(SEND, channel.readInbound());
        assertEquals(0, first.refCnt() + rest.refCnt());
    }

    @Test
    void sendsAnOutboundFrameAsABinaryMessageWithTheSameBytes() {
        EmbeddedChannel channel = pipeline();

        assertTrue(channel.writeOutbound(SEND));

        Object out = channel.readOutbound();
        BinaryWebSocketFrame message = assertInstanceOf(BinaryWebSocketFrame.class, out);
        try {
            assertTrue(message.isFinalFragment());
            assertArrayEquals(bytesOf(SEND), ByteBufUtil.getBytes(message.content()));
        } finally {
            message.release();
        }
        assertNull(channel.readOutbound());
    }

    @Test
    void refusesATextMessageWithBadRequestAndCloses() {
        EmbeddedChannel channel = pipeline();
        TextWebSocketFrame text = new TextWebSocketFrame("{\"cmd\":\"login\"}");

        assertFalse(channel.writeInbound(text));

        BinaryWebSocketFrame reply = assertInstanceOf(BinaryWebSocketFrame.class, channel.readOutbound());
        try {
            Frame frame = new FrameParser(65_536).next(reply.content());
            assertTrue(frame.is(Command.ERROR), frame.toString());
            assertEquals(0, frame.requestId());
            Error error = Frames.parse(frame, Error.parser());
            assertEquals(ErrorCode.BAD_REQUEST.code(), error.getCode());
            assertTrue(error.getMessage().contains("only binary WebSocket messages"), error.getMessage());
        } finally {
            reply.release();
        }
        assertFalse(channel.isOpen());
        assertEquals(0, text.refCnt(), "the text message was released");
        assertDoesNotThrow(channel::checkException);
    }
}
