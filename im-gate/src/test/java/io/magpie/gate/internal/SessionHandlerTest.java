package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.registry.ActiveSessions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one stage of a logged-in connection: its parts in order, one flush per read, errors, close. */
class SessionHandlerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Session session = new Session(1, 42, "phone", Platform.ANDROID, "gate-a", 0, channel);
    private final ControlCommands control =
            new ControlCommands(Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC));
    private final AtomicInteger flushes = new AtomicInteger();
    private final List<String> seen = new ArrayList<>();

    /** Takes the frames of one command, records every frame it sees and every close. */
    private final class Recording implements SessionPart {
        private final String name;
        private final Command takes;

        Recording(String name, Command takes) {
            this.name = name;
            this.takes = takes;
        }

        @Override
        public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
            seen.add(name + ":" + Command.nameOf(frame.command()));
            return frame.is(takes);
        }

        @Override
        public void closed(Session session) {
            seen.add(name + ":closed");
        }
    }

    private void install(SessionPart... parts) {
        channel.pipeline().addLast("flush-counter", new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        });
        channel.pipeline().addLast(ClientPipeline.SESSION, new SessionHandler(session, parts));
    }

    private static Frame ping(int requestId) {
        return Frames.of(Command.PING, requestId, Ping.getDefaultInstance());
    }

    private static Frame sync(int requestId) {
        return Frames.of(Command.SYNC, requestId, SyncRequest.getDefaultInstance());
    }

    @Test
    void eachFrameGoesToThePartsInOrderUntilOneTakesItAndOnWhenNoneDoes() {
        install(new Recording("a", Command.SYNC), new Recording("b", Command.PING));
        channel.writeInbound(ping(1));
        channel.writeInbound(sync(2));
        Frame pull = Frames.of(Command.PULL, 3, SyncRequest.getDefaultInstance());
        channel.writeInbound(pull);

        assertEquals(List.of("a:PING", "b:PING", "a:SYNC", "a:PULL", "b:PULL"), seen);
        assertSame(pull, channel.readInbound(), "a frame no part takes goes on down the pipeline");
        assertNull(channel.readInbound());
    }

    @Test
    void theAnswersOfOneReadBurstGoOutWithOneFlush() {
        install(control);
        channel.pipeline().fireChannelRead(ping(1));
        channel.pipeline().fireChannelRead(ping(2));
        channel.pipeline().fireChannelRead(ping(3));
        assertNull(channel.readOutbound(), "nothing flushed before the read completes");
        int before = flushes.get();
        channel.pipeline().fireChannelReadComplete();

        assertEquals(before + 1, flushes.get());
        for (int requestId = 1; requestId <= 3; requestId++) {
            Frame pong = next(channel);
            assertEquals(Command.PONG.code(), pong.command());
            assertEquals(requestId, pong.requestId());
        }
    }

    @Test
    void nothingAfterLogoutCountsAndTheConnectionCloses() {
        // an unbound token (session id 0): nothing to mark in the session store
        install(new LogoutCommand(0, ActiveSessions.NONE), new Recording("after", Command.PING));
        channel.writeInbound(new Frame(Command.LOGOUT.code(), 1, 0, new byte[0]), ping(2), sync(3));

        assertTrue(seen.stream().noneMatch(s -> s.endsWith("PING") || s.endsWith("SYNC")), "seen: " + seen);
        assertFalse(channel.isActive());
    }

    @Test
    void whatWasAnsweredBeforeALogoutInTheSameReadGoesOutBeforeTheClose() {
        install(new LogoutCommand(0, ActiveSessions.NONE), control);
        channel.writeInbound(ping(1), new Frame(Command.LOGOUT.code(), 2, 0, new byte[0]));

        assertFalse(channel.isActive());
        Frame pong = next(channel);
        assertEquals(Command.PONG.code(), pong.command(), "the PONG answered before the LOGOUT is not dropped");
    }

    @Test
    void aRefusedRequestIsAnsweredAndAFailingPartClosesWithInternal() {
        install(new SessionPart() {
            @Override
            public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
                if (frame.is(Command.SYNC)) {
                    throw new ProtocolException(ErrorCode.BAD_REQUEST, "no such cursor", false).answering(frame);
                }
                throw new IllegalStateException("a bug in a part");
            }
        });
        channel.writeInbound(sync(7));
        nextError(channel, ErrorCode.BAD_REQUEST, 7);
        assertTrue(channel.isActive(), "a refused request leaves the connection open");

        channel.writeInbound(ping(8));
        nextError(channel, ErrorCode.INTERNAL, 0);
        assertFalse(channel.isActive());
    }

    @Test
    void everyPartHearsOfTheCloseAndAPushGoesThroughThePushAckPart() {
        PushAcks acks = new PushAcks(session, new WaitAckTable.Settings(java.time.Duration.ofSeconds(5), 3, 100,
                1 << 20), Clock.systemUTC(), new ManualTicker());
        install(new Recording("a", Command.SYNC), acks);
        Frame push = Frames.of(Command.PUSH, 9, Ping.getDefaultInstance());
        channel.writeOutbound(new TrackedPush(push, List.of(new MessageKey("s_1_42", 5))));

        assertSame(push, next(channel));
        assertEquals(1, acks.table().size(), "the push waits for its PUSH_ACK");
        channel.close();
        assertTrue(seen.contains("a:closed"));
        assertEquals(0, acks.table().size(), "the table is dropped at close");
    }
}
