package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.SendAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import java.lang.reflect.Field;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wait-ACK table through the connection's {@code push-ack} stage, on virtual time (a frozen channel
 * clock and a hand-moved ticker, so no assertion depends on the machine's speed): what the client sees
 * written, resent and no longer resent.
 */
class WaitAckTableTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final Clock clock = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
    private final ManualTicker ticker = new ManualTicker();
    private final List<WaitAckTable.SkipReason> skipped = new ArrayList<>();
    private final WaitAckTable.Events events = new WaitAckTable.Events() {
        @Override
        public void resendSkipped(WaitAckTable.SkipReason reason) {
            skipped.add(reason);
        }
    };
    private PushAcks handler;

    private EmbeddedChannel connection(int maxResends, int maxEntries) {
        return connection(maxResends, maxEntries, 1 << 20);
    }

    private EmbeddedChannel connection(int maxResends, int maxEntries, int maxBytes) {
        EmbeddedChannel channel = ManualTicker.frozen(new EmbeddedChannel());
        Session session = new Session(1, 42, "phone", Platform.ANDROID, "gate-a", 0, channel);
        handler = new PushAcks(session, new WaitAckTable.Settings(TIMEOUT, maxResends, maxEntries, maxBytes),
                clock, ticker, events);
        channel.pipeline().addLast(ClientPipeline.SESSION, new SessionHandler(session, handler));
        return channel;
    }

    private EmbeddedChannel connection() {
        return connection(3, 1000);
    }

    private static TrackedPush push(int requestId, String conversation, long... seqs) {
        Push.Builder push = Push.newBuilder();
        List<MessageKey> keys = new ArrayList<>();
        for (long seq : seqs) {
            push.addMessages(Message.newBuilder().setConversationId(conversation).setSeq(seq).setMsgId(1000 + seq));
            keys.add(new MessageKey(conversation, seq));
        }
        return new TrackedPush(Frames.of(Command.PUSH, requestId, push.build()), keys);
    }

    private static Frame ack(String conversation, long... seqs) {
        PushAck.Builder ack = PushAck.newBuilder();
        for (long seq : seqs) {
            ack.addAcked(MessageRef.newBuilder().setConversationId(conversation).setSeq(seq));
        }
        return Frames.of(Command.PUSH_ACK, 0, ack.build());
    }

    /** Lets virtual time pass and runs what fell due. */
    private void elapse(EmbeddedChannel channel, Duration duration) {
        ticker.elapse(channel, duration);
    }

    private static byte[] wire(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameEncoder.writeTo(frame, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void anUnackedPushIsResentAfterTheTimeoutByteForByte() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(7, "s_1_42", 3, 4));
        Frame first = next(channel);
        assertEquals(Command.PUSH.code(), first.command());

        elapse(channel, TIMEOUT.minusMillis(1));
        assertNull(channel.readOutbound(), "nothing is resent before the timeout");
        elapse(channel, Duration.ofMillis(1));
        Frame again = next(channel);
        assertArrayEquals(wire(first), wire(again), "the resend is the same bytes");
    }

    @Test
    void anAckOfEveryMessageClearsThePushAndNothingIsResent() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(7, "s_1_42", 3, 4));
        next(channel);
        channel.writeInbound(ack("s_1_42", 3, 4));

        assertEquals(0, handler.table().size());
        elapse(channel, Duration.ofMinutes(10));
        assertNull(channel.readOutbound());
        assertNull(channel.readInbound(), "PUSH_ACK ends at this stage");
    }

    @Test
    void aPartlyAckedPushIsResentWholeUntilEveryMessageIsAcked() {
        EmbeddedChannel channel = connection();
        TrackedPush push = push(7, "s_1_42", 3, 4);
        channel.writeOutbound(push);
        next(channel);
        channel.writeInbound(ack("s_1_42", 3));

        elapse(channel, TIMEOUT);
        assertEquals(push.frame(), next(channel), "the client dedupes seq 3, so the frame is resent as it was");
        channel.writeInbound(ack("s_1_42", 4));
        assertEquals(0, handler.table().size());
        elapse(channel, Duration.ofMinutes(10));
        assertNull(channel.readOutbound());
    }

    @Test
    void aClientStillAckingOlderPushesIsNotSentCopiesOfTheNewerOnesUntilItStops() {
        EmbeddedChannel channel = connection();
        TrackedPush older = push(1, "g_9", 1);
        TrackedPush newer = push(2, "g_9", 2);
        channel.writeOutbound(older, newer);
        next(channel);
        next(channel);

        elapse(channel, Duration.ofSeconds(4));
        channel.writeInbound(ack("g_9", 1)); // behind, but working through what it was sent
        elapse(channel, Duration.ofSeconds(1));
        assertNull(channel.readOutbound(), "no copy while the client acknowledges what was sent before it");
        assertEquals(0, handler.table().stats().resent());
        assertEquals(List.of(WaitAckTable.SkipReason.CATCHING_UP), skipped, "the skip is counted, with its reason");

        elapse(channel, TIMEOUT.multipliedBy(2));
        assertEquals(newer.frame(), next(channel), "resent at its next turn: no PUSH_ACK for longer than the timeout");
        assertEquals(1, handler.table().stats().resent());
    }

    @Test
    void aResendThatFallsDueWhileTheConnectionIsNotWritableIsSkippedAndCounted() {
        EmbeddedChannel channel = connection(1, 1000);
        TrackedPush push = push(1, "g_9", 1);
        channel.writeOutbound(push);
        next(channel);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        channel.write(push(2, "g_9", 2)); // left unflushed: the connection is over its high water mark
        assertFalse(channel.isWritable());

        elapse(channel, TIMEOUT);
        assertEquals(0, handler.table().stats().resent(), "no copy onto a connection the client does not drain");
        assertEquals(List.of(WaitAckTable.SkipReason.NOT_WRITABLE, WaitAckTable.SkipReason.NOT_WRITABLE), skipped);

        channel.flush(); // the client drains the connection: writable again
        next(channel);
        elapse(channel, TIMEOUT.multipliedBy(2));
        assertNull(channel.readOutbound(), "the skipped resend was the one allowed: none after it");
        assertEquals(2, handler.table().stats().droppedAfterResends());
    }

    @Test
    void aPushIsResentWhenTheClientAcknowledgedOneSentAfterIt() {
        EmbeddedChannel channel = connection();
        TrackedPush lost = push(1, "g_9", 1);
        channel.writeOutbound(lost, push(2, "g_9", 2));
        next(channel);
        next(channel);

        elapse(channel, Duration.ofSeconds(4));
        channel.writeInbound(ack("g_9", 2)); // it got past the first one without acknowledging it
        elapse(channel, Duration.ofSeconds(1));
        assertEquals(lost.frame(), next(channel));
    }

    @Test
    void resendsBackOffExponentiallyAndStopAfterTheLastOne() {
        EmbeddedChannel channel = connection(3, 1000);
        TrackedPush push = push(7, "g_9", 1);
        channel.writeOutbound(push);
        next(channel);

        // Resends after 5 s, then 10 s more, then 20 s more: 3 in all.
        for (Duration wait : List.of(TIMEOUT, TIMEOUT.multipliedBy(2), TIMEOUT.multipliedBy(4))) {
            elapse(channel, wait.minusMillis(1));
            assertNull(channel.readOutbound(), "nothing before " + wait + " has passed");
            elapse(channel, Duration.ofMillis(1));
            assertEquals(push.frame(), next(channel));
        }
        assertEquals(1, handler.table().size(), "still waiting for the ACK of the last resend");
        elapse(channel, TIMEOUT.multipliedBy(8));
        assertEquals(0, handler.table().size(), "given up: storage has it, the client pulls it");
        elapse(channel, Duration.ofHours(1));
        assertNull(channel.readOutbound());
        assertEquals(1, handler.table().stats().droppedAfterResends());
        assertEquals(3, handler.table().stats().resent());
    }

    @Test
    void withZeroResendsAnUnackedPushIsOnlyForgotten() {
        EmbeddedChannel channel = connection(0, 1000);
        channel.writeOutbound(push(7, "g_9", 1));
        next(channel);
        elapse(channel, Duration.ofHours(1));
        assertNull(channel.readOutbound());
        assertEquals(0, handler.table().size());
    }

    @Test
    void beyondTheBoundTheOldestPushIsDroppedAndNoLongerResent() {
        EmbeddedChannel channel = connection(3, 2);
        TrackedPush oldest = push(1, "g_9", 1);
        TrackedPush second = push(2, "g_9", 2);
        TrackedPush third = push(3, "g_9", 3);
        channel.writeOutbound(oldest, second, third);
        assertEquals(oldest.frame(), next(channel), "every push is written; only the tracking is bounded");
        next(channel);
        next(channel);
        assertEquals(2, handler.table().size());

        elapse(channel, TIMEOUT);
        assertEquals(second.frame(), next(channel));
        assertEquals(third.frame(), next(channel));
        assertNull(channel.readOutbound(), "the oldest is not resent");
        assertEquals(1, handler.table().stats().droppedOverLimit());
    }

    @Test
    void closingTheConnectionDropsEveryEntryAndCancelsTheResends() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(1, "g_9", 1), push(2, "s_1_42", 5));
        next(channel);
        next(channel);
        WaitAckTable table = handler.table();
        assertEquals(2, table.size());

        channel.close();
        assertEquals(0, table.size());
        assertEquals(0, table.unackedMessages());
        elapse(channel, Duration.ofMinutes(10));
        assertNull(channel.readOutbound());
    }

    @Test
    void aMessagePushedAgainIsResentWithTheNewerPushOnly() {
        EmbeddedChannel channel = connection();
        TrackedPush first = push(1, "g_9", 1);
        TrackedPush retry = push(2, "g_9", 1);
        channel.writeOutbound(first, retry);
        next(channel);
        next(channel);
        assertEquals(1, handler.table().size());

        elapse(channel, TIMEOUT);
        assertEquals(retry.frame(), next(channel));
        assertNull(channel.readOutbound());
    }

    @Test
    void aMessageOfATwoMessagePushPushedAgainAloneLeavesTheFirstPushOnlyItsOtherMessage() {
        EmbeddedChannel channel = connection();
        TrackedPush pair = push(1, "g_9", 1, 2);
        TrackedPush retryOfOne = push(2, "g_9", 2);
        TrackedPush twice = push(3, "g_8", 5, 5);
        channel.writeOutbound(pair, retryOfOne, twice);
        next(channel);
        next(channel);
        next(channel);
        assertEquals(3, handler.table().size());

        channel.writeInbound(ack("g_9", 1), ack("g_8", 5));
        assertEquals(1, handler.table().size(), "the pair is done (its 2 moved on), the doubled key cleared at once");
        elapse(channel, TIMEOUT);
        assertEquals(retryOfOne.frame(), next(channel), "only the newer PUSH of g_9 #2 is resent");
        assertNull(channel.readOutbound());
        channel.writeInbound(ack("g_9", 2));
        assertEquals(0, handler.table().size());
    }

    @Test
    void otherFramesPassUntrackedAndAnUnreadableAckGetsBadRequest() {
        EmbeddedChannel channel = connection();
        Frame sendAck = Frames.of(Command.SEND_ACK, 4, SendAck.newBuilder().setSeq(1).build());
        channel.writeOutbound(sendAck);
        assertSame(sendAck, next(channel));
        assertEquals(0, handler.table().size());

        channel.writeInbound(new Frame(Command.PUSH_ACK.code(), 9, 0, new byte[] {(byte) 0xFF}));
        nextError(channel, ErrorCode.BAD_REQUEST, 9);
        assertTrue(channel.isOpen());
    }

    @Test
    void manyUnackedPushesShareOneTimerAndEachIsResentOnItsOwnSchedule() {
        EmbeddedChannel channel = connection(2, 1000);
        List<TrackedPush> pushes = new ArrayList<>();
        for (int i = 0; i < 500; i++) { // one push per millisecond
            TrackedPush push = push(i, "g_9", i + 1);
            pushes.add(push);
            channel.writeOutbound(push);
            next(channel);
            elapse(channel, Duration.ofMillis(1));
        }
        assertEquals(1, scheduledTasks(channel), "one timer for 500 unacked pushes, not one each");

        elapse(channel, TIMEOUT.minusMillis(501));
        assertNull(channel.readOutbound(), "1 ms before the first push is due");
        elapse(channel, Duration.ofMillis(1));
        assertEquals(List.of(pushes.get(0).frame()), drain(channel), "only the first push is due");

        elapse(channel, Duration.ofMillis(499));
        List<Frame> resent = drain(channel);
        assertEquals(pushes.subList(1, 500).stream().map(TrackedPush::frame).toList(), resent,
                "every other push resent once, in the order they were first sent");
        assertEquals(1, scheduledTasks(channel), "still one timer");
        assertEquals(500, handler.table().stats().resent());
    }

    @Test
    void theKeptBytesAreBoundedTooAndTheOldestGoesFirst() {
        TrackedPush first = push(1, "g_9", 1);
        int frameBytes = Frame.HEADER_BYTES + first.frame().body().length;
        EmbeddedChannel channel = connection(3, 1000, frameBytes * 2);
        channel.writeOutbound(first, push(2, "g_9", 2), push(3, "g_9", 3));
        drain(channel);

        assertEquals(2, handler.table().size());
        assertTrue(handler.table().bytes() <= frameBytes * 2L);
        assertEquals(1, handler.table().stats().droppedOverLimit());
        channel.writeInbound(ack("g_9", 1));
        assertEquals(0, handler.table().stats().acked(), "the oldest was no longer waiting");
    }

    @Test
    void anAckedTableHasNoTimerLeft() {
        EmbeddedChannel channel = connection();
        channel.writeOutbound(push(1, "g_9", 1), push(2, "g_9", 2));
        drain(channel);
        channel.writeInbound(ack("g_9", 1, 2));
        assertFalse(handler.table().timerArmed());
        assertEquals(0, scheduledTasks(channel));
    }

    private static List<Frame> drain(EmbeddedChannel channel) {
        List<Frame> frames = new ArrayList<>();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            frames.add((Frame) o);
        }
        return frames;
    }

    /** Timers scheduled (and not cancelled) on the channel's loop; Netty removes a cancelled one at once. */
    private static int scheduledTasks(EmbeddedChannel channel) {
        try {
            Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
            queue.setAccessible(true);
            Collection<?> tasks = (Collection<?>) queue.get(channel.eventLoop());
            return tasks == null ? 0 : tasks.size();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot count the embedded loop's scheduled tasks", e);
        }
    }
}
