package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.Error;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a client that does not read can cost the gate, on a frozen channel clock. */
class SlowReaderGuardTest {

    private static final Duration UNWRITABLE = Duration.ofSeconds(30);
    private static final int MAX_OUTBOUND = 1000;

    private final EmbeddedChannel channel = new EmbeddedChannel();

    SlowReaderGuardTest() {
        channel.freezeTime();
        channel.pipeline().addLast(ClientPipeline.CODEC, FrameEncoder.INSTANCE);
        channel.pipeline().addLast(ClientPipeline.SLOW_READER, new SlowReaderGuard("gate-a", MAX_OUTBOUND, UNWRITABLE));
    }

    private static Frame push(int requestId, int bodyBytes) {
        return new Frame(Command.PUSH.code(), requestId, 0, new byte[bodyBytes]);
    }

    private List<Frame> written() {
        List<Frame> frames = new ArrayList<>();
        FrameParser parser = new FrameParser(1 << 20);
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) o;
            try {
                for (Frame f = parser.next(buf); f != null; f = buf.isReadable() ? parser.next(buf) : null) {
                    frames.add(f);
                }
            } finally {
                buf.release();
            }
        }
        return frames;
    }

    private static Error errorOf(Frame frame) throws Exception {
        assertEquals(Command.ERROR.code(), frame.command(), "expected ERROR, got " + frame);
        return Error.parseFrom(frame.body());
    }

    private void elapse(Duration d) {
        channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    @Test
    void aWriteThatWouldPassTheOutboundLimitClosesTheConnectionWithSlowConsumer() throws Exception {
        for (int i = 1; i <= 3; i++) {
            // 214 bytes each, not taken by the client; Netty counts 96 bytes more per queued write
            channel.write(push(i, 200));
        }
        ChannelFuture fourth = channel.write(push(4, 200));
        channel.runPendingTasks();

        assertFalse(fourth.isSuccess(), "the write past the limit is refused, not queued");
        List<Frame> out = written();
        assertEquals(List.of(1, 2, 3), out.subList(0, 3).stream().map(Frame::requestId).toList());
        Error error = errorOf(out.get(3));
        assertEquals(ErrorCode.SLOW_CONSUMER.code(), error.getCode());
        assertTrue(error.getMessage().contains("gate.limits.max-outbound-bytes=1000"), error.getMessage());
        assertTrue(error.getRetryable());
        assertEquals(4, out.size());
        assertFalse(channel.isOpen());
    }

    @Test
    void aConnectionUnwritableForTheTimeoutIsClosed() throws Exception {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.runPendingTasks();
        assertFalse(channel.isWritable());

        elapse(UNWRITABLE.minusMillis(1));
        assertTrue(channel.isOpen());
        elapse(Duration.ofMillis(1));

        Error error = errorOf(written().get(0));
        assertEquals(ErrorCode.SLOW_CONSUMER.code(), error.getCode());
        assertTrue(error.getMessage().contains("gate.limits.unwritable-timeout=30000"), error.getMessage());
        elapse(SlowReaderGuard.CLOSE_GRACE);
        assertFalse(channel.isOpen());
    }

    @Test
    void aConnectionThatDrainsInTimeStaysOpen() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.runPendingTasks();
        elapse(UNWRITABLE.minusSeconds(1));
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        elapse(Duration.ofHours(1));
        assertTrue(channel.isOpen());
        assertEquals(List.of(), written());
    }
}
