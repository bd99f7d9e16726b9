package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Pong;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The idle events stand for the heartbeat timer (the {@code IdleStateHandler} in front of this
 * handler), fired by hand: each READER_IDLE is one heartbeat without a read, each WRITER_IDLE one
 * without a write.
 */
class HeartbeatHandlerTest {

    private final AtomicInteger ids = new AtomicInteger(40);
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new HeartbeatHandler(30, "[test]", ids::incrementAndGet));

    @Test
    void nothingWrittenForAHeartbeatSendsAPing() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);

        Frame ping = channel.readOutbound();
        assertTrue(ping.is(Command.PING));
        assertEquals(41, ping.requestId(), "PINGs take ids from the connection's counter; PONG echoes them");
        assertTrue(channel.isActive());
    }

    @Test
    void aDeviceThatKeepsSendingWhileNothingComesBackPingsAndKeepsItsConnectionWhileTheGateAnswers() {
        for (int heartbeat = 0; heartbeat < 10; heartbeat++) {
            // the device writes SENDs all the time (no writer idle), its acks are stalled (reader idle)
            channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
            Frame ping = channel.readOutbound();
            assertTrue(ping != null && ping.is(Command.PING), "nothing read for a heartbeat: PING");
            channel.writeInbound(Frames.of(Command.PONG, ping.requestId(), Pong.getDefaultInstance()));
        }

        assertTrue(channel.isActive(), "a gate that answers PINGs is alive, however slow its acks");
    }

    @Test
    void aGateThatAnswersNoPingIsClosedOnlyAfterThreeUnansweredPings() {
        for (int i = 1; i <= ClientHandler.MISSED_HEARTBEATS; i++) {
            channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
            Frame ping = channel.readOutbound();
            assertTrue(ping.is(Command.PING));
            assertTrue(channel.isActive(), "still open after " + i + " unanswered PING(s)");
        }

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertFalse(channel.isActive());
        assertNull(channel.readOutbound(), "a dead connection gets no more PINGs");
    }

    @Test
    void anyFrameFromTheGateAnswersThePingsSentSoFar() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        channel.writeInbound(Frames.of(Command.PONG, 0, Pong.getDefaultInstance()));

        for (int i = 0; i < ClientHandler.MISSED_HEARTBEATS; i++) {
            channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        }

        assertTrue(channel.isActive(), "the count of unanswered PINGs started again at the read");
    }

    @Test
    void aWriterIdlePingIsNotSentWhileAnotherIsUnanswered() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertTrue(((Frame) channel.readOutbound()).is(Command.PING));

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);

        assertNull(channel.readOutbound(), "one PING is enough to learn whether the gate is there");
    }
}
