package io.magpie.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.SampleBodies;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Reconnect;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real codec stages in a pipeline: FrameDecoder, FrameEncoder, an application handler and
 * ProtocolErrorHandler last, as a gate builds them.
 */
class FrameCodecTest {

    private static final int MAX = 65_536;
    private static final long SELF_UID = 10001;

    /** Stand-in for a gate's dispatcher: answers SEND, fails on READ, echoes everything else. */
    private static final class EchoHandler extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.is(Command.SEND)) {
                SendRequest request = Frames.parse(frame, SendRequest.parser());
                String conversation;
                try {
                    conversation = ConversationIds.of(request.getConversationType(), SELF_UID, request.getTargetId());
                } catch (ProtocolException e) {
                    throw e.answering(frame);
                }
                ctx.writeAndFlush(Frames.of(Command.SEND_ACK, frame.requestId(), SendAck.newBuilder()
                        .setClientMsgId(request.getClientMsgId()).setConversationId(conversation).build()));
            } else if (frame.is(Command.READ)) {
                throw new IllegalStateException("a bug in the handler");
            } else {
                ctx.writeAndFlush(frame);
            }
        }
    }

    private static EmbeddedChannel pipeline(ChannelHandler... application) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("frame-decoder", new FrameDecoder(MAX));
        channel.pipeline().addLast("frame-encoder", FrameEncoder.INSTANCE);
        for (int i = 0; i < application.length; i++) {
            channel.pipeline().addLast("app-" + i, application[i]);
        }
        channel.pipeline().addLast("protocol-errors", ProtocolErrorHandler.INSTANCE);
        return channel;
    }

    private static ByteBuf encode(Frame... frames) {
        ByteBuf buf = Unpooled.buffer();
        for (Frame f : frames) {
            FrameEncoder.writeTo(f, buf);
        }
        return buf;
    }

    /** Everything the channel wrote, decoded; each outbound buffer is released. */
    private static List<Frame> written(EmbeddedChannel channel) {
        FrameParser parser = new FrameParser(MAX);
        List<Frame> frames = new ArrayList<>();
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            try {
                for (Frame f = parser.next(out); f != null; f = parser.next(out)) {
                    frames.add(f);
                }
                assertFalse(out.isReadable(), "each outbound buffer holds whole frames");
            } finally {
                out.release();
            }
        }
        return frames;
    }

    private static Error errorIn(Frame frame) {
        assertTrue(frame.is(Command.ERROR), "expected an ERROR frame, got " + frame);
        return Frames.parse(frame, Error.parser());
    }

    @Test
    void theOneStageCodecDecodesEncodesAndShowsEveryFrameToItsObservers() {
        List<Frame> in = new ArrayList<>();
        List<Frame> out = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("frame-codec", new FrameCodec(MAX, in::add, new FrameEncoder(out::add)));
        channel.pipeline().addLast("app", new EchoHandler());
        channel.pipeline().addLast("protocol-errors", ProtocolErrorHandler.INSTANCE);
        Frame ping = Frames.of(Command.PING, 7, Ping.getDefaultInstance());
        ByteBuf wire = encode(ping, ping);
        while (wire.isReadable()) { // split reads: byte by byte decodes the same
            channel.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();

        List<Frame> echoed = written(channel);
        assertEquals(2, echoed.size());
        assertEquals(ping.requestId(), echoed.get(0).requestId());
        assertEquals(List.of(ping.command(), ping.command()), in.stream().map(Frame::command).toList());
        assertEquals(2, out.size(), "every outbound frame is shown before it is encoded");

        ByteBuf raw = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        channel.writeOutbound(raw);
        ByteBuf passed = channel.readOutbound();
        assertEquals(3, passed.readableBytes(), "what is not a Frame passes untouched");
        passed.release();

        ByteBuf tooLarge = Unpooled.buffer();
        tooLarge.writeShort(Frame.MAGIC).writeByte(Frame.VERSION).writeByte(0).writeShort(Command.SEND.code())
                .writeInt(9).writeInt(MAX + 1);
        channel.writeInbound(tooLarge);
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), errorIn(written(channel).get(0)).getCode());
        assertFalse(channel.isActive(), "a frame over the limit closes the connection, as with the decoder stage");
    }

    @ParameterizedTest
    @EnumSource(Command.class)
    void encoderThenDecoderRoundTripsEveryCommand(Command command) throws Exception {
        EmbeddedChannel channel = pipeline();
        Frame sent = Frames.of(command, 0x7FFF_0001, SampleBodies.sample(command));

        assertTrue(channel.writeOutbound(sent));
        ByteBuf wire = channel.readOutbound();
        assertEquals(Frame.HEADER_BYTES + sent.body().length, wire.readableBytes());
        assertTrue(channel.writeInbound(wire));
        Frame received = channel.readInbound();

        assertEquals(sent, received);
        assertEquals(SampleBodies.sample(command), SampleBodies.parser(command).parseFrom(received.body()));
        assertEquals(0, wire.refCnt(), "the decoder released the inbound buffer");
        assertTrue(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void decodesEveryCommandFromOneBufferInOrder() {
        EmbeddedChannel channel = pipeline();
        List<Frame> sent = new ArrayList<>();
        int requestId = 1;
        for (Command c : Command.values()) {
            sent.add(Frames.of(c, requestId++, SampleBodies.sample(c)));
        }
        ByteBuf wire = encode(sent.toArray(Frame[]::new));

        channel.writeInbound(wire);

        List<Frame> received = new ArrayList<>();
        for (Frame f = channel.readInbound(); f != null; f = channel.readInbound()) {
            received.add(f);
        }
        assertEquals(sent, received);
        assertEquals(0, wire.refCnt());
    }

    @Test
    void decodesAFrameArrivingInTwoReads() {
        EmbeddedChannel channel = pipeline();
        Frame sent = Frames.of(Command.SEND, 9, SampleBodies.sample(Command.SEND));
        ByteBuf whole = encode(sent);
        ByteBuf first = whole.readRetainedSlice(5);
        ByteBuf rest = whole.readRetainedSlice(whole.readableBytes());
        whole.release();

        assertFalse(channel.writeInbound(first));
        assertTrue(channel.writeInbound(rest));

        assertEquals(sent, channel.readInbound());
        assertEquals(0, first.refCnt());
        assertEquals(0, rest.refCnt());
    }

    /**
     * The bytes docs/PROTOCOL.md shows as its worked examples. If this test fails, the document
     * is wrong or the wire format changed: fix one of them.
     */
    @Test
    void encodesTheDocumentedExamples() {
        TokenCodec tokens = new TokenCodec("magpie-example-secret-0123456789".getBytes(StandardCharsets.US_ASCII),
                Clock.fixed(Instant.parse("2025-12-31T00:00:00Z"), ZoneOffset.UTC));
        String token = tokens.issue(new TokenClaims(10001, "phone-1", Platform.ANDROID, 1_767_225_600_000L, 4242));
        assertEquals("djJ8ZGVmYXVsdHwxMDAwMXxwaG9uZS0xfDF8MTc2NzIyNTYwMDAwMHw0MjQy"
                + ".8DvlI99XjVOvMkXgEoA8tV1jcZewlq1UpU0-QAtA3jM", token);
        Frame login = Frames.of(Command.LOGIN, 1,
                LoginRequest.newBuilder().setToken(token).setClientVersion("magpie-js/1.0").build());
        Frame ping = Frames.of(Command.PING, 2, Ping.getDefaultInstance());

        assertEquals("4d470100000100000001000000790a68"
                + "646a4a385a47566d5958567364487778"
                + "4d4441774d587877614739755a533078"
                + "664446384d5463324e7a49794e545977"
                + "4d4441774d4877304d6a51792e384476"
                + "6c493939586a564f764d6b5867456f41"
                + "387456316a635a65776c713155705530"
                + "2d51417441336a4d120d6d6167706965"
                + "2d6a732f312e30", ByteBufUtil.hexDump(encode(login)));
        assertEquals("4d47010000030000000200000000", ByteBufUtil.hexDump(encode(ping)));
        Frame reconnect = Frames.of(Command.RECONNECT, 0,
                Reconnect.newBuilder().setReason("gate draining").setDelayMs(73).build());
        assertEquals("4d470100001600000000000000110a0d"
                + "6761746520647261696e696e671049", ByteBufUtil.hexDump(encode(reconnect)));
    }

    static Stream<Arguments> malformedInputs() {
        ByteBuf tooLarge = Unpooled.buffer().writeShort(0x4D47).writeByte(1).writeByte(0)
                .writeShort(Command.SEND.code()).writeInt(1).writeInt(MAX + 1);
        return Stream.of(
                Arguments.of("an HTTP request", ErrorCode.BAD_MAGIC,
                        "GET / HTTP/1.1\r\nHost: gate\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("a version 2 header", ErrorCode.UNSUPPORTED_VERSION,
                        new byte[] {0x4D, 0x47, 2, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0}),
                Arguments.of("a header announcing max-frame-bytes + 1", ErrorCode.FRAME_TOO_LARGE,
                        ByteBufUtil.getBytes(tooLarge)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("malformedInputs")
    void answersMalformedInputWithTheExactErrorAndCloses(String what, ErrorCode expected, byte[] bytes) {
        EmbeddedChannel channel = pipeline(new EchoHandler());
        ByteBuf input = Unpooled.copiedBuffer(bytes);

        assertFalse(channel.writeInbound(input), "nothing is decoded from " + what);

        List<Frame> out = written(channel);
        assertEquals(1, out.size(), "exactly one ERROR frame, got " + out);
        assertEquals(0, out.get(0).requestId(), "errors raised while decoding carry request id 0");
        Error error = errorIn(out.get(0));
        assertEquals(expected.code(), error.getCode());
        assertEquals(0, error.getCommand());
        assertFalse(error.getRetryable());
        assertTrue(error.getMessage().contains("closing connection"), error.getMessage());
        assertFalse(channel.isOpen(), "the connection is closed after " + what);
        assertEquals(0, input.refCnt());
        assertDoesNotThrow(channel::checkException, "nothing escapes the pipeline");
    }

    @Test
    void deliversFramesThatPrecededAViolationInTheSameRead() {
        EmbeddedChannel channel = pipeline();
        Frame ping = Frames.of(Command.PING, 3, Ping.getDefaultInstance());
        ByteBuf wire = encode(ping).writeBytes(new byte[] {0x00, 0x00, 0x00});

        channel.writeInbound(wire);

        assertEquals(ping, channel.readInbound());
        assertEquals(ErrorCode.BAD_MAGIC.code(), errorIn(written(channel).get(0)).getCode());
        assertFalse(channel.isOpen());
        assertEquals(0, wire.refCnt());
    }

    @Test
    void answersABadRequestFromAHandlerAndKeepsServing() {
        EmbeddedChannel channel = pipeline(new EchoHandler());
        // a length-delimited field announcing 16 bytes of which 1 arrives: not a SendRequest
        ByteBuf garbage = encode(new Frame(Command.SEND, 5, new byte[] {0x0A, 0x10, 0x41}));
        ByteBuf noTarget = encode(Frames.of(Command.SEND, 6, SendRequest.newBuilder().setClientMsgId("c-6")
                .setConversationType(ConversationType.SINGLE).setTargetId(0).build()));
        ByteBuf valid = encode(Frames.of(Command.SEND, 7, SendRequest.newBuilder().setClientMsgId("c-7")
                .setConversationType(ConversationType.SINGLE).setTargetId(10002).build()));

        channel.writeInbound(garbage);
        channel.writeInbound(noTarget);
        assertTrue(channel.isOpen(), "a bad body is not a reason to drop the connection");
        channel.writeInbound(valid);

        List<Frame> out = written(channel);
        assertEquals(3, out.size(), out.toString());

        assertEquals(5, out.get(0).requestId(), "the ERROR answers the failed request");
        Error unparsable = errorIn(out.get(0));
        assertEquals(ErrorCode.BAD_REQUEST.code(), unparsable.getCode());
        assertEquals(Command.SEND.code(), unparsable.getCommand());
        assertFalse(unparsable.getRetryable());
        assertTrue(unparsable.getMessage().contains("not a valid protobuf message"), unparsable.getMessage());

        assertEquals(6, out.get(1).requestId());
        Error noTargetError = errorIn(out.get(1));
        assertEquals(ErrorCode.BAD_REQUEST.code(), noTargetError.getCode());
        assertTrue(noTargetError.getMessage().contains("target_id"), noTargetError.getMessage());

        assertTrue(out.get(2).is(Command.SEND_ACK));
        assertEquals(7, out.get(2).requestId());
        SendAck ack = Frames.parse(out.get(2), SendAck.parser());
        assertEquals("c-7", ack.getClientMsgId());
        assertEquals("s_10001_10002", ack.getConversationId());

        assertTrue(channel.isOpen());
        assertEquals(0, garbage.refCnt() + noTarget.refCnt() + valid.refCnt());
        assertDoesNotThrow(channel::checkException);
    }

    @Test
    void answersAnUnexpectedHandlerFailureWithInternalAndCloses() {
        EmbeddedChannel channel = pipeline(new EchoHandler());
        ByteBuf read = encode(Frames.of(Command.READ, 8, SampleBodies.sample(Command.READ)));

        channel.writeInbound(read);

        List<Frame> out = written(channel);
        assertEquals(1, out.size(), out.toString());
        Error error = errorIn(out.get(0));
        assertEquals(ErrorCode.INTERNAL.code(), error.getCode());
        assertTrue(error.getRetryable(), "INTERNAL tells the client it may resend");
        assertFalse(error.getMessage().contains("a bug in the handler"), "no internals reach the client");
        assertFalse(channel.isOpen());
        assertEquals(0, read.refCnt());
        assertDoesNotThrow(channel::checkException, "nothing escapes the pipeline");
    }

    @Test
    void closesWithoutAnErrorFrameOnAnIoFailure() {
        EmbeddedChannel channel = pipeline(new EchoHandler());

        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertNull(channel.readOutbound(), "nobody is left to read an ERROR");
        assertFalse(channel.isOpen());
        assertDoesNotThrow(channel::checkException);
    }

    @Test
    void dropsAFrameCutOffByTheEndOfTheConnection() {
        EmbeddedChannel channel = pipeline(new EchoHandler());
        ByteBuf whole = encode(Frames.of(Command.SEND, 1, SampleBodies.sample(Command.SEND)));
        ByteBuf partial = whole.readRetainedSlice(whole.readableBytes() - 1);
        whole.release();

        assertFalse(channel.writeInbound(partial));
        assertFalse(channel.finish(), "no frame and nothing written");
        assertEquals(0, partial.refCnt());
        assertDoesNotThrow(channel::checkException);
    }

    @Test
    void refusesToBuildAFrameWhoseFieldsDoNotFitTheHeader() {
        assertEquals("command 65536 does not fit in u16", assertThrows(
                IllegalArgumentException.class, () -> new Frame(0x1_0000, 1, 0, null)).getMessage());
        assertEquals("flags 256 do not fit in u8", assertThrows(
                IllegalArgumentException.class, () -> new Frame(1, 1, 0x100, null)).getMessage());
        assertEquals(0, new Frame(1, 1, 0, null).body().length, "a null body is an empty body");
    }
}
