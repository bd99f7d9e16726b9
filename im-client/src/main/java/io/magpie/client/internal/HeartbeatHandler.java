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
 * io.netty.handler.timeout.IdleStateHandler} in front of it: nothing written for one heartbeat -> PING;
 * nothing read for {@link ClientHandler#MISSED_HEARTBEATS} heartbeats -> close (the client then
 * reconnects). One instance per connection, added after LOGIN_ACK.
 */
public final class HeartbeatHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);

    private final long heartbeatSeconds;
    private final String who;
    private final IntSupplier requestIds;
    private boolean closing;

    /** @param requestIds the connection's request id counter (PONG echoes the PING's id) */
    public HeartbeatHandler(long heartbeatSeconds, String who, IntSupplier requestIds) {
        this.heartbeatSeconds = heartbeatSeconds;
        this.who = who;
        this.requestIds = requestIds;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(Frames.of(Command.PING, requestIds.getAsInt(), Ping.getDefaultInstance()));
            } else if (idle.state() == IdleState.READER_IDLE && !closing) {
                closing = true;
                log.info("{} nothing from the gate for {} s ({} heartbeats); closing to reconnect", who,
                        heartbeatSeconds * ClientHandler.MISSED_HEARTBEATS, ClientHandler.MISSED_HEARTBEATS);
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
