package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.PushAck;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts PUSH_ACK from a logged-in client. The gate keeps no wait-ACK table yet, so an ACK is only
 * checked for a readable body and consumed: pushes are not resent by the gate (ARCHITECTURE §2
 * step 8's resend is not implemented here; a client recovers a missed push through SYNC/PULL).
 * One instance per connection, created at login.
 */
public final class PushAckHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PushAckHandler.class);

    private final Session session;

    public PushAckHandler(Session session) {
        this.session = Objects.requireNonNull(session, "session");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || !frame.is(Command.PUSH_ACK)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            PushAck ack = Frames.parse(frame, PushAck.parser());
            log.debug("{} PUSH_ACK for {} message(s)", session.logPrefix(), ack.getAckedCount());
        } catch (ProtocolException e) {
            ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.BAD_REQUEST,
                    e.getMessage() + "; the connection stays open"));
        }
    }
}
