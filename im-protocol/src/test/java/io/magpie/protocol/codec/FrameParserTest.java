package io.magpie.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame grammar without a channel. Frame bytes are written by hand from the documented header
 * layout (not by {@link FrameEncoder}), so these tests pin the wire format itself.
 */
class FrameParserTest {

    private static final int MAX = 1024;

    /** A header laid out exactly as docs/PROTOCOL.md says: big-endian, 14 bytes. */
    private static byte[] header(int magic, int version, int flags, int command, int requestId, long bodyLength) {
        ByteBuf b = Unpooled.buffer(Frame.HEADER_BYTES);
        b.writeShort(magic).writeByte(version).writeByte(flags).writeShort(command).writeInt(requestId)
                .writeInt((int) bodyLength);
        return b.array();
    }

    private static byte[] frameBytes(int command, int requestId, byte[] body) {
        return concat(header(0x4D47, 1, 0, command, requestId, body.length), body);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static final byte[] BODY = "hello, magpie".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SEND_BYTES = frameBytes(Command.SEND.code(), 42, BODY);
    private static final Frame SEND = new Frame(Command.SEND.code(), 42, 0, BODY);

    @Test
    void decodesAFrameFedWhole() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf in = Unpooled.wrappedBuffer(SEND_BYTES);

        assertEquals(SEND, parser.next(in));
        assertFalse(in.isReadable(), "the whole frame is consumed");
        assertFalse(parser.midFrame());
    }

    @Test
    void decodesTheSameFrameFedByteByByte() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf cumulation = Unpooled.buffer();
        Frame decoded = null;
        for (int i = 0; i < SEND_BYTES.length; i++) {
            assertNull(decoded, "no frame before the last byte, got one after " + i + " bytes");
            cumulation.writeByte(SEND_BYTES[i]);
            decoded = parser.next(cumulation);
        }
        assertEquals(SEND, decoded);
        assertFalse(cumulation.isReadable());
    }

    @Test
    void decodesTheSameFrameSplitAtEveryIndex() {
        for (int split = 0; split <= SEND_BYTES.length; split++) {
            FrameParser parser = new FrameParser(MAX);
            ByteBuf cumulation = Unpooled.buffer();
            cumulation.writeBytes(SEND_BYTES, 0, split);
            Frame first = parser.next(cumulation);
            if (split < SEND_BYTES.length) {
                assertNull(first, "split at " + split);
                cumulation.writeBytes(SEND_BYTES, split, SEND_BYTES.length - split);
                assertEquals(SEND, parser.next(cumulation), "split at " + split);
            } else {
                assertEquals(SEND, first);
            }
            assertFalse(cumulation.isReadable(), "split at " + split);
        }
    }

    @Test
    void decodesSeveralFramesFromOneBuffer() {
        byte[] ping = frameBytes(Command.PING.code(), 1, new byte[0]);
        byte[] ack = frameBytes(Command.PUSH_ACK.code(), 2, new byte[] {1, 2, 3});
        ByteBuf in = Unpooled.wrappedBuffer(concat(ping, SEND_BYTES, ack, Arrays.copyOf(ping, 5)));
        FrameParser parser = new FrameParser(MAX);

        List<Frame> frames = new ArrayList<>();
        for (Frame f = parser.next(in); f != null; f = parser.next(in)) {
            frames.add(f);
        }

        assertEquals(List.of(new Frame(Command.PING.code(), 1, 0, new byte[0]), SEND,
                new Frame(Command.PUSH_ACK.code(), 2, 0, new byte[] {1, 2, 3})), frames);
        assertEquals(5, in.readableBytes(), "the start of the next frame waits for the rest");
    }

    @Test
    void decodesAnEmptyBody() {
        Frame frame = new FrameParser(MAX).next(Unpooled.wrappedBuffer(frameBytes(Command.PING.code(), 7, new byte[0])));

        assertNotNull(frame);
        assertTrue(frame.is(Command.PING));
        assertEquals(7, frame.requestId());
        assertEquals(0, frame.body().length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 25, 999, 4096, 0xFFFF})
    void passesUnknownCommandCodesThrough(int code) {
        Frame frame = new FrameParser(MAX).next(Unpooled.wrappedBuffer(frameBytes(code, 3, BODY)));

        assertNotNull(frame);
        assertEquals(code, frame.command());
        assertArrayEquals(BODY, frame.body());
    }

    @Test
    void keepsHeaderFieldsBitExact() {
        // request id is u32 on the wire: 0xFFFFFFFF must survive as the same 32 bits
        byte[] bytes = concat(header(0x4D47, 1, 0x80, Command.SEND.code(), 0xFFFFFFFF, BODY.length), BODY);

        Frame frame = new FrameParser(MAX).next(Unpooled.wrappedBuffer(bytes));

        assertEquals(0xFFFFFFFF, frame.requestId());
        assertEquals("4294967295", Integer.toUnsignedString(frame.requestId()));
        assertEquals(0x80, frame.flags());
    }

    @Test
    void detectsBadMagicAsSoonAsTwoBytesArrived() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf in = Unpooled.buffer();
        in.writeByte('G');
        assertNull(parser.next(in), "one byte cannot be judged yet");

        in.writeByte('E');
        ProtocolException e = assertThrows(ProtocolException.class, () -> parser.next(in));

        assertEquals(ErrorCode.BAD_MAGIC, e.code());
        assertTrue(e.fatal());
        assertTrue(e.getMessage().contains("0x4745") && e.getMessage().contains("0x4D47"), e.getMessage());
        assertTrue(parser.corrupt());
    }

    @Test
    void detectsAnUnknownVersionAsSoonAsThreeBytesArrived() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(new byte[] {0x4D, 0x47});
        assertNull(parser.next(in));

        in.writeByte(2);
        ProtocolException e = assertThrows(ProtocolException.class, () -> parser.next(in));

        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertTrue(e.fatal());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        assertTrue(parser.corrupt());
    }

    @Test
    void acceptsABodyOfExactlyTheLimit() {
        byte[] body = new byte[MAX];
        Frame frame = new FrameParser(MAX).next(Unpooled.wrappedBuffer(frameBytes(Command.SEND.code(), 1, body)));

        assertNotNull(frame);
        assertEquals(MAX, frame.body().length);
    }

    @ParameterizedTest
    @ValueSource(longs = {MAX + 1, Integer.MAX_VALUE, 0x80000000L, 0xFFFFFFFFL})
    void rejectsAnOversizeBodyLengthBeforeAnyBodyByteArrives(long length) {
        FrameParser parser = new FrameParser(MAX);
        // only the header: the parser must decide from the length field alone, without waiting
        // for (or allocating) the body
        ByteBuf in = Unpooled.wrappedBuffer(header(0x4D47, 1, 0, Command.SEND.code(), 1, length));

        ProtocolException e = assertThrows(ProtocolException.class, () -> parser.next(in));

        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertTrue(e.fatal());
        assertTrue(e.getMessage().contains(Long.toString(length)) && e.getMessage().contains("max-frame-bytes " + MAX),
                e.getMessage());
        assertTrue(parser.corrupt());
    }

    @Test
    void discardsEverythingAfterAViolation() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf bad = Unpooled.wrappedBuffer(concat("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), SEND_BYTES));
        assertThrows(ProtocolException.class, () -> parser.next(bad));
        assertFalse(bad.isReadable(), "the offending buffer is consumed");

        ByteBuf later = Unpooled.wrappedBuffer(SEND_BYTES);
        assertNull(parser.next(later), "a valid frame after a violation is not trusted");
        assertFalse(later.isReadable(), "and its bytes are discarded");
        assertTrue(parser.corrupt());
        assertFalse(parser.midFrame());
    }

    @Test
    void returnsNullForATruncatedFrameAndWaits() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(SEND_BYTES, 0, SEND_BYTES.length - 1);

        assertNull(parser.next(in));
        assertNull(parser.next(in), "asking again without new bytes changes nothing");
        assertTrue(parser.midFrame(), "the header is read, the body is awaited");
        assertFalse(parser.corrupt());

        in.writeByte(SEND_BYTES[SEND_BYTES.length - 1]);
        assertEquals(SEND, parser.next(in));
        assertFalse(parser.midFrame());
    }

    @Test
    void returnsNullForATruncatedHeaderWithoutConsumingIt() {
        FrameParser parser = new FrameParser(MAX);
        ByteBuf in = Unpooled.wrappedBuffer(SEND_BYTES, 0, Frame.HEADER_BYTES - 1);

        assertNull(parser.next(in));
        assertEquals(Frame.HEADER_BYTES - 1, in.readableBytes());
        assertFalse(parser.midFrame());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, (64 << 20) + 1})
    void refusesAnOutOfRangeLimit(int max) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameParser(max));
        assertTrue(e.getMessage().contains("maxBodyBytes"), e.getMessage());
    }
}
