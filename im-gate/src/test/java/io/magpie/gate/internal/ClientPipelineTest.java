package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Pong;
import io.magpie.protocol.proto.PushAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stages every client connection shares, as a client on TCP sees them. */
class ClientPipelineTest {

    private final LoginHarness gate = new LoginHarness();

    @Test
    void loggedInConnectionAnswersPingWithServerTime() throws Exception {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        next(channel);
        channel.writeInbound(Frames.of(Command.PING, 3, Ping.getDefaultInstance()));
        Frame pong = next(channel);
        assertEquals(Command.PONG.code(), pong.command());
        assertEquals(3, pong.requestId());
        assertEquals(LoginHarness.NOW, Pong.parseFrom(pong.body()).getServerTime());
    }

    @Test
    void unknownInternalAndServerOnlyCommandsGetUnknownCommandAndTheConnectionStaysOpen() {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        next(channel);
        channel.writeInbound(new Frame(999, 1, 0, new byte[0]));
        nextError(channel, ErrorCode.UNKNOWN_COMMAND, 1);
        channel.writeInbound(new Frame(Command.GATE_PUSH.code(), 2, 0, new byte[0]));
        nextError(channel, ErrorCode.UNKNOWN_COMMAND, 2);
        channel.writeInbound(new Frame(Command.PUSH.code(), 3, 0, new byte[0]));
        nextError(channel, ErrorCode.UNKNOWN_COMMAND, 3);
        assertTrue(channel.isOpen());
        assertTrue(gate.upstream.published.isEmpty(), "nothing of that reaches logic");
    }

    @Test
    void secondLoginOnTheSameConnectionGetsWrongStateButStaysOpen() {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        next(channel);
        channel.writeInbound(LoginHarness.login(4, gate.token(43, "other")));
        nextError(channel, ErrorCode.WRONG_STATE, 4);
        assertTrue(channel.isOpen());
        assertEquals(1, gate.routes.registered.size());
    }

    @Test
    void pushAckIsAcceptedSilently() {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        next(channel);
        channel.writeInbound(Frames.of(Command.PUSH_ACK, 5, PushAck.getDefaultInstance()));
        assertNull(channel.readOutbound(), "a PUSH_ACK is not answered");
        channel.writeInbound(new Frame(Command.PUSH_ACK.code(), 6, 0, new byte[] {(byte) 0xFF}));
        nextError(channel, ErrorCode.BAD_REQUEST, 6);
        assertTrue(channel.isOpen());
    }

    @Test
    void logoutClosesTheConnectionAndReleasesTheRoute() {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        next(channel);
        channel.writeInbound(new Frame(Command.LOGOUT.code(), 7, 0, new byte[0]));
        assertFalse(channel.isOpen());
        assertEquals(0, gate.sessions.size());
        assertTrue(gate.routes.current.isEmpty());
    }

    @Test
    void theIdleSweepClosesALoggedInConnectionSilentForTheIdleTimeoutAndNoOtherOne() {
        EmbeddedChannel silent = gate.loggedIn(42, "phone-1");
        next(silent);
        EmbeddedChannel talking = gate.loggedIn(43, "phone-2");
        next(talking);
        IdleSweeper sweeper = new IdleSweeper(gate.sessions, gate.config.idleTimeout(), gate.ticker);
        assertEquals(Duration.ofSeconds(15), sweeper.period(), "a sixth of 3 x 30 s");

        gate.ticker.advance(gate.config.idleTimeout().minusSeconds(1));
        talking.writeInbound(Frames.of(Command.PING, 9, Ping.getDefaultInstance()));
        assertEquals(Command.PONG.code(), next(talking).command(), "PING gets PONG from the control stage");
        sweeper.sweep();
        silent.runPendingTasks();
        assertTrue(silent.isOpen(), "one second short of the timeout");

        gate.ticker.advance(Duration.ofSeconds(1));
        sweeper.sweep();
        silent.runPendingTasks();
        talking.runPendingTasks();
        assertFalse(silent.isOpen(), "nothing received for the idle timeout");
        assertTrue(talking.isOpen(), "its PING a second ago counts");
        assertEquals(1, gate.sessions.size());
    }

    @Test
    void badMagicOnTheWireGetsBadMagicAndClose() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        gate.pipeline.addClientStages(channel.pipeline(), "tcp");
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P',
                '/', '1', '.', '1', '\r', '\n'}));

        Frame error = decode(channel.readOutbound());
        assertEquals(Command.ERROR.code(), error.command());
        assertEquals(ErrorCode.BAD_MAGIC.code(), Error.parseFrom(error.body()).getCode());
        assertFalse(channel.isOpen());
    }

    @Test
    void loginOverTheWireWorksByteForByte() {
        EmbeddedChannel channel = new EmbeddedChannel();
        gate.pipeline.addClientStages(channel.pipeline(), "tcp");
        ByteBuf bytes = Unpooled.buffer();
        FrameEncoder.writeTo(LoginHarness.login(1, gate.token(42, "phone-1")), bytes);
        FrameEncoder.writeTo(Frames.of(Command.PING, 2, Ping.getDefaultInstance()), bytes);
        // Split delivery: the decoder must reassemble.
        while (bytes.isReadable()) {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(5, bytes.readableBytes())));
        }
        bytes.release();
        channel.runPendingTasks();

        assertEquals(Command.LOGIN_ACK.code(), decode(channel.readOutbound()).command());
        assertEquals(Command.PONG.code(), decode(channel.readOutbound()).command());
    }

    private static Frame decode(Object written) {
        ByteBuf buf = (ByteBuf) written;
        try {
            return new FrameParser(1 << 20).next(buf);
        } finally {
            buf.release();
        }
    }
}
