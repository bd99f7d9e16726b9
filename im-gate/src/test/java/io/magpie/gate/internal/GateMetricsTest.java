package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.magpie.protocol.codec.FrameCodec;
import io.magpie.protocol.codec.FrameEncoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the gate's meters show an operator, on virtual time: PUSH_ACK latency, resends, frames, refusals. */
class GateMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger open = new AtomicInteger();
    private final GateMetrics metrics = new GateMetrics(registry, "gate-a", open::get);
    private final ManualTicker ticker = new ManualTicker();

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = ManualTicker.frozen(new EmbeddedChannel());
        Session session = new Session(1, 42, "phone", Platform.ANDROID, "gate-a", 0, channel);
        FrameMeter meter = new FrameMeter(metrics);
        channel.pipeline().addLast(ClientPipeline.CODEC, new FrameCodec(1 << 16, meter::in, new FrameEncoder(meter::out)));
        channel.pipeline().addLast(ClientPipeline.SESSION, new SessionHandler(session, new PushAcks(session,
                new WaitAckTable.Settings(TIMEOUT, 1, 1000, 1 << 20),
                Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC), ticker, metrics)));
        return channel;
    }

    private static TrackedPush push(int requestId, String conversation, long seq) {
        Push push = Push.newBuilder().addMessages(Message.newBuilder().setConversationId(conversation).setSeq(seq)
                .setMsgId(1000 + seq)).build();
        return new TrackedPush(Frames.of(Command.PUSH, requestId, push), List.of(new MessageKey(conversation, seq)));
    }

    /** A PUSH_ACK as the client's bytes, through the decoder (which shows it to the meter). */
    private static ByteBuf ack(String conversation, long seq) {
        Frame frame = Frames.of(Command.PUSH_ACK, 0, PushAck.newBuilder()
                .addAcked(MessageRef.newBuilder().setConversationId(conversation).setSeq(seq)).build());
        ByteBuf bytes = Unpooled.buffer();
        FrameEncoder.writeTo(frame, bytes);
        return bytes;
    }

    /** Takes the next frame written to the client (encoded, so counted) off the channel. */
    private static void next(EmbeddedChannel channel) {
        ByteBuf written = channel.readOutbound();
        assertNotNull(written, "expected a frame written to the client");
        written.release();
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void thePushAckTimerMeasuresFromTheFirstWriteToTheAckAcrossResends() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(7, "s_1_42", 3));
        next(channel);
        ticker.elapse(channel, TIMEOUT); // resent once
        next(channel);
        ticker.elapse(channel, Duration.ofSeconds(2));
        channel.writeInbound(ack("s_1_42", 3));

        Timer timer = registry.get("magpie.gate.push.ack").tags("gate", "gate-a", "role", "gate").timer();
        assertEquals(1, timer.count());
        assertEquals(7_000, timer.totalTime(TimeUnit.MILLISECONDS), 0.001, "from the first write, not the resend");
        assertEquals(1, count("magpie.gate.push.resends"));
        assertEquals(2, count("magpie.gate.frames.out", "command", "PUSH"), "the resend is a frame out too");
        assertEquals(1, count("magpie.gate.frames.in", "command", "PUSH_ACK"));
    }

    @Test
    void aPushNeverAckedIsCountedAsGivenUpAndNotTimed() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(7, "g_9", 1));
        ticker.elapse(channel, TIMEOUT);
        ticker.elapse(channel, TIMEOUT.multipliedBy(4));

        assertEquals(1, count("magpie.gate.push.given.up"));
        assertEquals(0, registry.get("magpie.gate.push.ack").timer().count());
    }

    @Test
    void aResendSkippedWhileTheClientCatchesUpIsCountedUnderItsReason() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(7, "g_9", 1), push(8, "g_9", 2));
        next(channel);
        next(channel);
        ticker.elapse(channel, Duration.ofSeconds(4));
        channel.writeInbound(ack("g_9", 1)); // still working through what was sent before the second PUSH
        ticker.elapse(channel, Duration.ofSeconds(1));

        assertEquals(1, count("magpie.gate.push.resends.skipped", "reason", "catching_up"));
        assertEquals(0, count("magpie.gate.push.resends.skipped", "reason", "not_writable"));
        assertEquals(0, count("magpie.gate.push.resends"));
    }

    @Test
    void errorFramesAreCountedByCodeSoRefusalsShow() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(Frames.error(5, Command.SEND.code(), ErrorCode.RATE_LIMITED, "over budget", 100));
        channel.writeOutbound(Frames.error(6, Command.SEND.code(), ErrorCode.SERVER_BUSY, "bus slow", 1000));
        channel.writeOutbound(Frames.error(7, Command.SEND.code(), ErrorCode.SERVER_BUSY, "bus slow", 1000));

        assertEquals(1, count("magpie.gate.errors", "code", "RATE_LIMITED"));
        assertEquals(2, count("magpie.gate.errors", "code", "SERVER_BUSY"));
        assertEquals(3, count("magpie.gate.frames.out", "command", "ERROR"));
    }

    @Test
    void unknownCommandsShareOneSeriesAndTheConnectionGaugeReadsLive() {
        metrics.frameIn(63);
        metrics.frameIn(4097);
        open.set(12);

        assertEquals(2, count("magpie.gate.frames.in", "command", "OTHER"));
        assertEquals(12, registry.get("magpie.gate.connections").gauge().value());
    }

    @Test
    void loginsAreCountedByOutcome() {
        metrics.loginOk();
        metrics.loginRefused(ErrorCode.INVALID_TOKEN);

        assertEquals(1, count("magpie.gate.logins", "result", "ok"));
        assertEquals(1, count("magpie.gate.logins", "result", "INVALID_TOKEN"));
    }
}
