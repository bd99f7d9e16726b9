package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Pong;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a logged-in connection alive: PING gets PONG with the server time; a reader-idle event from
 * the {@code idle} stage (no frame at all for missed-heartbeats x interval) closes the connection.
 * One instance per connection, created at login.
 */
public final class HeartbeatHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);

    private final Session session;
    private final Clock clock;
    private final Duration idleTimeout;

    public HeartbeatHandler(Session session, Clock clock, Duration idleTimeout) {
        this.session = Objects.requireNonNull(session, "session");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame && frame.is(Command.PING)) {
            // Flushed with the rest of this read by the flush-consolidation stage.
            ctx.writeAndFlush(Frames.of(Command.PONG, frame.requestId(),
                    Pong.newBuilder().setServerTime(clock.millis()).build()));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            session.identify(log.atInfo()).log("{} nothing received for {} ms (heartbeats missed); closing connection",
                    session.logPrefix(), idleTimeout.toMillis());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
