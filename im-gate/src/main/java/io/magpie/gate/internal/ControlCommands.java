package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Pong;
import io.netty.channel.ChannelHandlerContext;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last session part of a logged-in connection: the commands the gate answers itself, and every frame no
 * earlier part took. PING gets PONG with the server time (the heartbeat; a
 * connection that sends nothing is closed by the gate's {@link IdleSweeper}); a second LOGIN gets WRONG_STATE;
 * LOGOUT is {@link LogoutCommand}'s and does not get here (should one, it closes the connection); unknown
 * codes, internal (router to gate) codes and server-to-client commands get UNKNOWN_COMMAND. The connection stays
 * open in every error case. Stateless: one instance serves every connection of a gate.
 */
public final class ControlCommands implements SessionPart {

    private static final Logger log = LoggerFactory.getLogger(ControlCommands.class);

    private final Clock clock;

    /** @param clock the server time PONG carries */
    public ControlCommands(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
        Command command = frame.knownCommand().orElse(null);
        if (command == Command.PING) {
            // Flushed with the rest of this read by the session stage.
            ctx.write(Frames.of(Command.PONG, frame.requestId(),
                    Pong.newBuilder().setServerTime(clock.millis()).build()));
            return true;
        }
        if (command == Command.LOGOUT) {
            session.identify(log.atInfo()).log("{} logged out; closing connection", session.logPrefix());
            ctx.flush(); // the answers of this read before the LOGOUT go out first
            ctx.close();
            return true;
        }
        if (command == Command.LOGIN) {
            reply(ctx, session, frame, ErrorCode.WRONG_STATE, "this connection is already logged in as uid "
                    + session.uid() + " on device " + session.deviceId() + "; LOGIN is accepted once per connection");
            return true;
        }
        String why;
        if (command == null) {
            why = "command code " + frame.command() + " is not known to this server";
        } else if (command.internal()) {
            why = "command " + command + " is internal to the cluster; a client may not send it";
        } else {
            why = "command " + command + " is sent by the server, never by a client";
        }
        reply(ctx, session, frame, ErrorCode.UNKNOWN_COMMAND, why + "; frame dropped, the connection stays open");
        return true;
    }

    private static void reply(ChannelHandlerContext ctx, Session session, Frame frame, ErrorCode code,
            String message) {
        session.identify(log.atDebug()).log("{} refused {}: {}", session.logPrefix(), frame, message);
        ctx.write(Frames.error(frame.requestId(), frame.command(), code, message));
    }
}
