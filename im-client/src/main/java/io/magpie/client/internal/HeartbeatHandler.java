package io.magpie.client.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Ping;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a logged-in connection alive and detects a dead one, driven by the {@link
 * io.netty.handler.timeout.IdleStateHandler} in front of it (reader and writer idle after one
 * heartbeat each). Nothing read for a heartbeat -> PING, so a device that keeps sending while the
 * gate has nothing to say still asks whether the gate is there; nothing written for a heartbeat ->
 * PING too (keeps the gate's idle timer happy), unless a PING is already unanswered. Anything read
 * answers every PING sent so far. Only when {@link ClientHandler#MISSED_HEARTBEATS} PINGs went
 * unanswered and another heartbeat passed in silence is the gate taken for dead and the connection
 * closed (the client then reconnects); acks that are merely slow never close a healthy connection.
 * One instance per connection, added after LOGIN_ACK; the channel's event loop only.
 */
public final class HeartbeatHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);

    private final long heartbeatSeconds;
    private final String who;
    private final IntSupplier requestIds;
    private int unansweredPings;
    private boolean closing;

    /** @param requestIds the connection's request id counter (PONG echoes the PING's id) */
    public HeartbeatHandler(long heartbeatSeconds, String who, IntSupplier requestIds) {
        this.heartbeatSeconds = heartbeatSeconds;
        this.who = who;
        this.requestIds = requestIds;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        unansweredPings = 0; // any frame from the gate proves it alive
        super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof IdleStateEvent idle)) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        if (closing) {
            return;
        }
        if (idle.state() == IdleState.READER_IDLE) {
            if (unansweredPings >= ClientHandler.MISSED_HEARTBEATS) {
                closing = true;
                log.info("{} {} PINGs unanswered and nothing from the gate for {} s; closing to reconnect", who,
                        unansweredPings, heartbeatSeconds * (unansweredPings + 1));
                ctx.close();
                return;
            }
            ping(ctx);
        } else if (idle.state() == IdleState.WRITER_IDLE && unansweredPings == 0) {
            ping(ctx);
        }
    }

    private void ping(ChannelHandlerContext ctx) {
        unansweredPings++;
        ctx.writeAndFlush(Frames.of(Command.PING, requestIds.getAsInt(), Ping.getDefaultInstance()));
    }
}
