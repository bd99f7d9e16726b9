package io.magpie.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.magpie.protocol.Allocations;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the frame grammar (docs/guarantees.md, "Fuzzing"). Whatever bytes a
 * peer sends, in whatever pieces they arrive: {@link FrameParser} yields frames or one fatal
 * {@link ProtocolException} of the three decoding codes and then discards everything; a body is never
 * allocated before all of it is there (so a header claiming 64 MiB costs nothing); every frame it
 * yields re-encodes to exactly the bytes it was read from; and {@link FrameDecoder} in a channel sees
 * the same frames and the same violation as the bare parser.
 */
class FrameParserFuzzTest {

    private static final Set<ErrorCode> DECODING_CODES =
            Set.of(ErrorCode.BAD_MAGIC, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.FRAME_TOO_LARGE);

    /** What one parse of a whole stream produced. */
    private record Outcome(List<Frame> frames, ProtocolException violation, int consumed) {
    }

    @FuzzTest
    void byteStream(FuzzedDataProvider data) {
        // Small limits exercise FRAME_TOO_LARGE; large ones check that the claim alone allocates nothing.
        int maxBody = data.consumeBoolean() ? data.consumeInt(1, 512) : data.consumeInt(1, 64 << 20);
        int[] cuts = new int[data.consumeInt(0, 8)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 64);
        }
        byte[] stream = data.consumeRemainingAsBytes();

        Outcome[] result = new Outcome[1];
        Allocations.assertBounded(() -> result[0] = parseWhole(maxBody, stream), stream.length,
                "parsing " + stream.length + " bytes");
        Outcome whole = result[0];

        for (Frame frame : whole.frames()) {
            assertTrue(frame.body().length <= maxBody, "a body above max-frame-bytes was accepted");
        }
        if (whole.violation() != null) {
            assertTrue(whole.violation().fatal(), "a decoding violation must close the connection");
            assertTrue(DECODING_CODES.contains(whole.violation().code()), "unexpected code " + whole.violation().code());
            assertEquals(stream.length, whole.consumed(), "after a violation the parser discards everything");
        }
        // Round trip: the frames re-encode to exactly the prefix they were parsed from.
        ByteBuf encoded = Unpooled.buffer();
        whole.frames().forEach(f -> FrameEncoder.writeTo(f, encoded));
        byte[] reencoded = ByteBufUtil.getBytes(encoded);
        encoded.release();
        if (whole.violation() == null) {
            assertArrayEquals(Arrays.copyOf(stream, reencoded.length), reencoded, "frames do not re-encode to their bytes");
        } else {
            assertArrayEquals(Arrays.copyOf(stream, reencoded.length), reencoded,
                    "frames before the violation do not re-encode to their bytes");
        }

        Outcome split = parseInPieces(maxBody, stream, cuts);
        assertEquals(whole.frames(), split.frames(), "split reads decode differently from one read");
        assertEquals(whole.violation() == null ? null : whole.violation().code(),
                split.violation() == null ? null : split.violation().code(), "split reads fail differently");

        assertChannelAgrees(maxBody, stream, cuts, whole);
    }

    private static Outcome parseWhole(int maxBody, byte[] stream) {
        FrameParser parser = new FrameParser(maxBody);
        ByteBuf in = Unpooled.wrappedBuffer(stream);
        List<Frame> frames = new ArrayList<>();
        ProtocolException violation = null;
        try {
            for (Frame f = parser.next(in); f != null; f = parser.next(in)) {
                frames.add(f);
            }
        } catch (ProtocolException e) {
            violation = e;
            assertTrue(parser.corrupt(), "a violation must leave the parser corrupt");
            assertNull(parser.next(Unpooled.wrappedBuffer(new byte[] {0x4D, 0x47, 1, 0})),
                    "a corrupt parser must not yield frames");
        }
        return new Outcome(frames, violation, in.readerIndex());
    }

    /** The stream arrives in pieces of the fuzzed sizes (the rest in one piece), as TCP may deliver it. */
    private static Outcome parseInPieces(int maxBody, byte[] stream, int[] cuts) {
        FrameParser parser = new FrameParser(maxBody);
        ByteBuf cumulation = Unpooled.buffer();
        List<Frame> frames = new ArrayList<>();
        ProtocolException violation = null;
        int offset = 0;
        int piece = 0;
        try {
            while (offset < stream.length) {
                int size = piece < cuts.length ? Math.max(1, cuts[piece++]) : stream.length - offset;
                size = Math.min(size, stream.length - offset);
                cumulation.writeBytes(stream, offset, size);
                offset += size;
                for (Frame f = parser.next(cumulation); f != null; f = parser.next(cumulation)) {
                    frames.add(f);
                }
                cumulation.discardReadBytes();
            }
        } catch (ProtocolException e) {
            violation = e;
        } finally {
            cumulation.release();
        }
        return new Outcome(frames, violation, offset);
    }

    /** The Netty decoder is the parser in a channel: same frames, the violation as FrameDecodingException. */
    private static void assertChannelAgrees(int maxBody, byte[] stream, int[] cuts, Outcome expected) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(maxBody));
        List<Frame> frames = new ArrayList<>();
        ProtocolException violation = null;
        int offset = 0;
        int piece = 0;
        try {
            while (offset < stream.length) {
                int size = piece < cuts.length ? Math.max(1, cuts[piece++]) : stream.length - offset;
                size = Math.min(size, stream.length - offset);
                try {
                    channel.writeInbound(Unpooled.copiedBuffer(stream, offset, size));
                } catch (FrameDecodingException e) {
                    if (violation == null) {
                        violation = e.protocolException();
                    }
                } catch (RuntimeException e) {
                    fail("FrameDecoder raised " + e + " instead of a FrameDecodingException", e);
                }
                offset += size;
                for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
                    frames.add((Frame) o);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        assertEquals(expected.frames(), frames, "FrameDecoder decodes differently from FrameParser");
        assertEquals(expected.violation() == null ? null : expected.violation().code(),
                violation == null ? null : violation.code(), "FrameDecoder fails differently from FrameParser");
    }
}
