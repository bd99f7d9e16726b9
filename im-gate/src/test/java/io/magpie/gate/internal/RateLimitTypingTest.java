package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.GateLimits;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.TypingRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The typing budget of a connection's rate-limit stage (docs/PROTOCOL.md §9.15), on a hand-moved clock. */
class RateLimitTypingTest {

    private final ManualTicker ticker = new ManualTicker();

    private EmbeddedChannel connection(int perSecond, int burst) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = new Session(1, 42, "phone", Platform.ANDROID, "gate-a", 0, channel);
        // no frame or SYNC budget here: only the typing budget is under test
        GateLimits limits = GateLimits.defaults().toBuilder().frames(0, 0).syncs(0, 0).typing(perSecond, burst).build();
        channel.pipeline().addLast(ClientPipeline.SESSION,
                new SessionHandler(session, new RateLimiter(session, limits, ticker)));
        return channel;
    }

    private static Frame typing(int requestId) {
        return Frames.of(Command.TYPING, requestId, TypingRequest.newBuilder().setConversationId("g_7").build());
    }

    @Test
    void typingOverTheBudgetIsDroppedSilentlyAndPassesAgainOnceATokenIsBack() {
        EmbeddedChannel channel = connection(2, 2);
        Frame first = typing(1);
        Frame second = typing(2);
        channel.writeInbound(first, second, typing(3));
        assertSame(first, channel.readInbound());
        assertSame(second, channel.readInbound());
        assertNull(channel.readInbound(), "the third TYPING within the burst of 2 goes no further");
        assertNull(channel.readOutbound(), "and nothing is answered: no ERROR for a dropped TYPING");
        assertTrue(channel.isOpen());

        ticker.advance(Duration.ofMillis(500));
        channel.writeInbound(typing(4));
        assertEquals(4, ((Frame) channel.readInbound()).requestId(), "2 per second: a token every 500 ms");
    }

    @Test
    void otherFramesAreNotCountedNorHeldBack() {
        EmbeddedChannel channel = connection(1, 1);
        channel.writeInbound(typing(1));
        assertEquals(1, ((Frame) channel.readInbound()).requestId());
        for (int i = 2; i < 20; i++) {
            Frame sync = Frames.of(Command.SYNC, i, SyncRequest.getDefaultInstance());
            channel.writeInbound(sync);
            assertSame(sync, channel.readInbound());
        }
        channel.writeInbound(typing(20));
        assertNull(channel.readInbound(), "the typing budget is spent: the SYNCs did not refill nor use it");
    }

    @Test
    void aBudgetOfZeroLetsEveryTypingThrough() {
        EmbeddedChannel channel = connection(0, 0);
        for (int i = 1; i <= 50; i++) {
            channel.writeInbound(typing(i));
            assertEquals(i, ((Frame) channel.readInbound()).requestId());
        }
    }

    @Test
    void theDefaultsAreTwoPerSecondWithABurstOfTwo() {
        assertEquals(2, GateLimits.defaults().typingPerSecond());
        assertEquals(2, GateLimits.defaults().typingBurst());
    }
}
