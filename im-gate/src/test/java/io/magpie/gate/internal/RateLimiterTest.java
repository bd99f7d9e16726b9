package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.gate.GateLimits;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SyncRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Per-connection request budgets as a client sees them, on a hand-moved clock. */
class RateLimiterTest {

    private final ManualTicker ticker = new ManualTicker();

    private EmbeddedChannel connection(GateLimits limits) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = new Session(1, 42, "phone", Platform.ANDROID, "gate-a", 0, channel);
        channel.pipeline().addLast(ClientPipeline.SESSION,
                new SessionHandler(session, new RateLimiter(session, limits, ticker)));
        return channel;
    }

    private static Frame sync(int requestId) {
        return Frames.of(Command.SYNC, requestId, SyncRequest.getDefaultInstance());
    }

    private static Frame ping(int requestId) {
        return Frames.of(Command.PING, requestId, Ping.getDefaultInstance());
    }

    @Test
    void aBurstWithinTheBudgetPassesAndTheNextIsRateLimitedWithWhenToRetry() {
        EmbeddedChannel channel = connection(GateLimits.defaults().toBuilder().syncs(2, 3).build());
        for (int i = 1; i <= 3; i++) {
            Frame sync = sync(i);
            channel.writeInbound(sync);
            assertSame(sync, channel.readInbound(), "SYNC " + i + " is within the burst of 3");
        }
        channel.writeInbound(sync(4));
        assertNull(channel.readInbound(), "the refused SYNC goes no further");
        Error error = nextError(channel, ErrorCode.RATE_LIMITED, 4);
        assertTrue(error.getRetryable());
        assertEquals(Command.SYNC.code(), error.getCommand());
        assertEquals(500, error.getRetryAfterMs(), "2 per second: the next token comes in 500 ms");
        assertEquals("SYNC over this connection's budget of 2 per second, bursts of 3 (gate.limits.syncs-per-second=2,"
                + " gate.limits.sync-burst=3); not processed, resend it after retry_after_ms=500", error.getMessage(),
                "the refusal states the limit (PROTOCOL.md §5)");

        ticker.advance(Duration.ofMillis(499));
        channel.writeInbound(sync(5));
        assertEquals(1, nextError(channel, ErrorCode.RATE_LIMITED, 5).getRetryAfterMs());
        ticker.advance(Duration.ofMillis(1));
        channel.writeInbound(sync(6));
        assertEquals(6, ((Frame) channel.readInbound()).requestId(), "a client that waited as told is served");
        assertTrue(channel.isOpen());
    }

    @Test
    void everyFrameSpendsTheFrameBudgetWhateverItsCommand() {
        EmbeddedChannel channel = connection(GateLimits.defaults().toBuilder().frames(10, 2).build());
        channel.writeInbound(ping(1), sync(2), ping(3));
        assertEquals(1, ((Frame) channel.readInbound()).requestId());
        assertEquals(2, ((Frame) channel.readInbound()).requestId());
        assertNull(channel.readInbound());
        assertEquals(100, nextError(channel, ErrorCode.RATE_LIMITED, 3).getRetryAfterMs());
    }

    @Test
    void aBudgetOfZeroIsNoBudget() {
        EmbeddedChannel channel = connection(GateLimits.defaults().toBuilder().frames(0, 0).syncs(0, 0).build());
        for (int i = 0; i < 10_000; i++) {
            channel.writeInbound(sync(i));
        }
        assertEquals(10_000, channel.inboundMessages().size());
        assertNull(channel.readOutbound());
    }

    @Test
    void persistentAbuseClosesTheConnectionWithALastRateLimited() {
        EmbeddedChannel channel = connection(GateLimits.defaults().toBuilder().syncs(1, 1).maxRefusals(5)
                .refusalWindow(Duration.ofSeconds(10)).build());
        channel.writeInbound(sync(1));
        channel.readInbound();
        for (int i = 2; i <= 6; i++) {
            channel.writeInbound(sync(i));
            nextError(channel, ErrorCode.RATE_LIMITED, i);
        }
        assertTrue(channel.isOpen(), "5 refusals within the window are tolerated");
        channel.writeInbound(sync(7));
        Error last = nextError(channel, ErrorCode.RATE_LIMITED, 7);
        assertTrue(last.getMessage().contains("closing connection"), last.getMessage());
        assertFalse(channel.isOpen());
    }

    @Test
    void refusalsSpreadOverTimeDoNotCloseTheConnection() {
        EmbeddedChannel channel = connection(GateLimits.defaults().toBuilder().syncs(1, 1).maxRefusals(2)
                .refusalWindow(Duration.ofSeconds(10)).build());
        for (int round = 0; round < 5; round++) {
            channel.writeInbound(sync(1));
            channel.writeInbound(sync(2));
            channel.readInbound();
            nextError(channel, ErrorCode.RATE_LIMITED, 2);
            ticker.advance(Duration.ofSeconds(10));
        }
        assertTrue(channel.isOpen());
    }
}
