package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lean receiver's PUSH reading and PUSH_ACK writing, against the conformance vectors and protobuf itself. */
class LeanPushTest {

    private static final Path VECTORS = Path.of("..", "docs", "conformance", "frames.json");

    private static String vectorHex(String name) throws Exception {
        JsonNode all = new ObjectMapper().readTree(Files.readString(VECTORS, StandardCharsets.UTF_8));
        for (JsonNode v : all) {
            if (v.get("name").asText().equals(name)) {
                return v.get("hex").asText();
            }
        }
        throw new AssertionError("no vector " + name + " in " + VECTORS);
    }

    private static byte[] body(String frameHex) {
        byte[] frame = HexFormat.of().parseHex(frameHex);
        byte[] body = new byte[frame.length - Frame.HEADER_BYTES];
        System.arraycopy(frame, Frame.HEADER_BYTES, body, 0, body.length);
        return body;
    }

    private static String hex(Frame f) {
        ByteBuf buf = Unpooled.buffer();
        FrameEncoder.writeTo(f, buf);
        return ByteBufUtil.hexDump(buf);
    }

    /** Reads a PUSH body as the lean receiver does and answers it like the receiver (ack of every message). */
    private static byte[] ackOf(byte[] pushBody, List<String> seen) {
        PushAckBody ack = new PushAckBody();
        PushScanner.scan(pushBody, (b, co, cl, seq, io, il, to, tl) -> {
            ack.add(b, co, cl, seq);
            seen.add(new String(b, co, cl, StandardCharsets.UTF_8) + "|" + seq + "|"
                    + new String(b, io, il, StandardCharsets.UTF_8) + "|" + new String(b, to, tl, StandardCharsets.UTF_8));
        });
        return ack.toBytes();
    }

    @Test
    void thePushAckOfTheConformancePushIsTheConformancePushAckByteForByte() throws Exception {
        List<String> seen = new ArrayList<>();
        byte[] ack = ackOf(body(vectorHex("push_one_message")), seen);

        assertEquals(List.of("s_10001_10002|42|c-1|h\u00e9llo, \u4e16\u754c \ud83d\udc4b"), seen);
        // push_ack is the answer to push_one_message, sent with request id 3
        assertEquals(vectorHex("push_ack"), hex(new Frame(Command.PUSH_ACK, 3, ack)));
    }

    @Test
    void aSystemMessageWithoutTextIsAckedToo() throws Exception {
        List<String> seen = new ArrayList<>();
        byte[] ack = ackOf(body(vectorHex("push_group_system_message")), seen);

        assertEquals(List.of("g_77|5|g-1|"), seen);
        assertArrayEquals(PushAck.newBuilder().addAcked(MessageRef.newBuilder().setConversationId("g_77").setSeq(5))
                .build().toByteArray(), ack);
    }

    @Test
    void severalMessagesWithEveryOtherFieldSetAreReadAndAckedAsProtobufWouldWriteIt() {
        Push.Builder push = Push.newBuilder();
        PushAck.Builder expected = PushAck.newBuilder();
        long[] seqs = {1, 127, 128, 300_000, Long.MAX_VALUE};
        for (int i = 0; i < seqs.length; i++) {
            String conv = "g_" + (1L << (7 * i));
            push.addMessages(Message.newBuilder().setMsgId(-1L - i).setConversationId(conv)
                    .setConversationType(ConversationType.GROUP).setSeq(seqs[i]).setSenderUid(10_001)
                    .setSenderDeviceId("d".repeat(200)).setClientMsgId(MessageKeys.clientMsgId(i * 1_000_003L))
                    .setContent(MessageContent.newBuilder().setType(MessageType.IMAGE)
                            .setMedia(MediaInfo.newBuilder().setUrl("https://x/" + i).setWidth(640))
                            .setText(SendStamp.text(1_767_225_600_000_000L + i, i % 2 == 0, 40)))
                    .setServerTime(1_767_225_600_123L).setVersion(i).setTargetId(77));
            expected.addAcked(MessageRef.newBuilder().setConversationId(conv).setSeq(seqs[i]));
        }
        List<Long> keys = new ArrayList<>();
        List<Long> origins = new ArrayList<>();
        PushAckBody ack = new PushAckBody();
        int n = PushScanner.scan(push.build().toByteArray(), (b, co, cl, seq, io, il, to, tl) -> {
            ack.add(b, co, cl, seq);
            keys.add(MessageKeys.parse(b, io, il));
            origins.add(SendStamp.originMicros(b, to, tl));
        });

        assertEquals(seqs.length, n);
        assertArrayEquals(expected.build().toByteArray(), ack.toBytes());
        assertEquals(List.of(0L, 1_000_003L, 2_000_006L, 3_000_009L, 4_000_012L), keys);
        assertEquals(1_767_225_600_000_004L, origins.get(4));
    }

    @Test
    void aTruncatedPushIsRefused() {
        byte[] whole = Push.newBuilder().addMessages(Message.newBuilder().setConversationId("g_1").setSeq(9)).build()
                .toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 2);
        assertThrows(IllegalArgumentException.class, () -> PushScanner.scan(cut, (b, co, cl, s, io, il, to, tl) -> { }));
    }

    @Test
    void theByteKeyParserAgreesWithTheStringOne() {
        for (long key : new long[] {0, 35, 36, MessageKeys.key(499, 123_456), MessageKeys.key((1 << 24) - 1, (1L << 39) - 1)}) {
            byte[] id = MessageKeys.clientMsgId(key).getBytes(StandardCharsets.US_ASCII);
            assertEquals(key, MessageKeys.parse(id, 0, id.length));
            assertEquals(MessageKeys.parse(MessageKeys.clientMsgId(key)), MessageKeys.parse(id, 0, id.length));
        }
        for (String notBench : new String[] {"", "b", "c-1", "b!", "x12", "b" + "z".repeat(14)}) {
            byte[] id = notBench.getBytes(StandardCharsets.US_ASCII);
            assertEquals(-1, MessageKeys.parse(id, 0, id.length), notBench);
        }
    }

    @Test
    void theSendStampCarriesTheOriginAndWhetherItIsMeasured() {
        String text = SendStamp.text(1_767_225_600_123_456L, true, 32);
        assertEquals(32, text.length());
        assertEquals(1_767_225_600_123_456L, SendStamp.originMicros(text));
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        assertTrue(SendStamp.measured(b, 0, b.length));
        assertEquals(SendStamp.LENGTH, SendStamp.text(5, false, 1).length());
        assertEquals(-1, SendStamp.originMicros("x".repeat(32)));
        assertEquals(-1, SendStamp.originMicros("m12"));
    }

    /** A receiver connection as {@link GateLogins} drives it: every frame, then the end of the read. */
    private static EmbeddedChannel receiver(LeanPushes pushes, AtomicInteger ids) {
        return new EmbeddedChannel(new FrameDecoder(1 << 20), FrameEncoder.INSTANCE,
                new SimpleChannelInboundHandler<Frame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
                        assertTrue(pushes.onFrame(ctx, frame, ids::incrementAndGet));
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        pushes.onReadComplete(ctx, ids::incrementAndGet);
                        ctx.flush();
                    }
                });
    }

    private static void pushFrame(ByteBuf into, String conversation, long seq) {
        Push push = Push.newBuilder().addMessages(Message.newBuilder().setConversationId(conversation).setSeq(seq)
                .setClientMsgId("other-" + seq)).build();
        FrameEncoder.writeTo(new Frame(Command.PUSH, 0, push.toByteArray()), into);
    }

    @Test
    void theReadsPushesAreAnsweredWithOnePushAckNamingEveryReadableMessage() {
        LeanPushes pushes = new LeanPushes();
        AtomicInteger ids = new AtomicInteger(6);
        EmbeddedChannel ch = receiver(pushes, ids);
        ByteBuf in = Unpooled.buffer();
        pushFrame(in, "g_9", 12);
        FrameEncoder.writeTo(new Frame(Command.PUSH, 0, new byte[] {0x0A, 0x05, 0x12}), in); // truncated: not acked
        pushFrame(in, "s_1_2", 4);
        ch.writeInbound(in); // one read of three PUSH frames

        ByteBuf out = ch.readOutbound();
        ByteBuf expected = Unpooled.buffer();
        FrameEncoder.writeTo(new Frame(Command.PUSH_ACK, 7, PushAck.newBuilder()
                .addAcked(MessageRef.newBuilder().setConversationId("g_9").setSeq(12))
                .addAcked(MessageRef.newBuilder().setConversationId("s_1_2").setSeq(4)).build().toByteArray()), expected);
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(out));
        assertNull(ch.readOutbound(), "one PUSH_ACK for the read");
        assertEquals(3, pushes.pushes());
        assertEquals(1, pushes.malformed());
    }

    @Test
    void aReadWhoseAcksPassTheLimitIsAnsweredInSeveralPushAcks() {
        LeanPushes pushes = new LeanPushes();
        EmbeddedChannel ch = receiver(pushes, new AtomicInteger());
        ByteBuf in = Unpooled.buffer();
        int n = LeanPushes.MAX_ACK_BYTES / 8 + 1; // each ack entry of "g_9" and a one-byte seq is 9 bytes
        for (int i = 1; i <= n; i++) {
            pushFrame(in, "g_9", 100 + i % 20);
        }
        ch.writeInbound(in);

        EmbeddedChannel gate = new EmbeddedChannel(new FrameDecoder(1 << 20)); // reads what the receiver wrote
        for (ByteBuf out; (out = ch.readOutbound()) != null; ) {
            gate.writeInbound(out);
        }
        int acked = 0;
        int frames = 0;
        for (Frame f; (f = gate.readInbound()) != null; frames++) {
            assertTrue(f.is(Command.PUSH_ACK), "a PUSH_ACK, got command " + f.command());
            acked += Frames.parse(f, PushAck.parser()).getAckedCount();
        }
        assertEquals(n, acked, "every message acked once");
        assertTrue(frames >= 2, "more than one PUSH_ACK, got " + frames);
    }

    @Test
    void aConnectionAnswersEachPushWithOnePushAckOfItsOwnRequestIdAndRecordsTheDelivery() {
        LeanPushes pushes = new LeanPushes();
        AtomicInteger ids = new AtomicInteger(41);
        EmbeddedChannel ch = receiver(pushes, ids);
        long key = MessageKeys.key(3, 7);
        Push push = Push.newBuilder().addMessages(Message.newBuilder().setConversationId("g_9").setSeq(12)
                .setClientMsgId(MessageKeys.clientMsgId(key)).setContent(MessageContent.newBuilder()
                        .setType(MessageType.TEXT).setText(SendStamp.text(WallClock.epochMicrosNow() - 2_000, true, 32))))
                .build();
        ByteBuf in = Unpooled.buffer();
        FrameEncoder.writeTo(new Frame(Command.PUSH, 0, push.toByteArray()), in);
        ch.writeInbound(in);
        ch.flushOutbound();

        ByteBuf out = ch.readOutbound();
        ByteBuf expected = Unpooled.buffer();
        FrameEncoder.writeTo(new Frame(Command.PUSH_ACK, 42, PushAck.newBuilder().addAcked(MessageRef.newBuilder()
                .setConversationId("g_9").setSeq(12)).build().toByteArray()), expected);
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(out));
        List<DeliveryDeltas.Entry> d = pushes.deltas().drain();
        assertEquals(1, d.size());
        assertEquals(key, d.get(0).key());
        assertEquals(1, d.get(0).count());
        assertEquals(1, pushes.latency().total().getTotalCount());
        assertTrue(pushes.latency().total().getMinValue() >= 2_000);
    }
}
