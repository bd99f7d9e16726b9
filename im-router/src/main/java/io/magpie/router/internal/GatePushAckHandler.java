package io.magpie.router.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.GatePushAck;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands GATE_PUSH_ACK and ERROR frames from a gate to the {@link GateConnection} waiting for them.
 * A gate speaking garbage is logged and disconnected (its pushes are retried). One per channel.
 */
final class GatePushAckHandler extends SimpleChannelInboundHandler<Frame> {

    private static final Logger log = LoggerFactory.getLogger(GatePushAckHandler.class);

    private final GateConnection connection;

    GatePushAckHandler(GateConnection connection) {
        this.connection = connection;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        try {
            if (frame.is(Command.GATE_PUSH_ACK)) {
                connection.acked(frame.requestId(), GatePushAck.parseFrom(frame.body()));
            } else if (frame.is(Command.ERROR)) {
                Error error = Error.parseFrom(frame.body());
                connection.refused(frame.requestId(), error.getCode() + " " + error.getMessage());
            } else {
                LogIdentity.gate(log.atDebug(), connection.gateId())
                        .log("[gate {}] ignoring unexpected {} from the gate", connection.gateId(), frame);
            }
        } catch (InvalidProtocolBufferException e) {
            LogIdentity.gate(log.atWarn(), connection.gateId())
                    .log("[gate {}] {} has a body that does not parse; closing the connection", connection.gateId(),
                    frame, e);
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LogIdentity.gate(log.atWarn(), connection.gateId())
                .log("[gate {}] internal connection {} failed; closing it", connection.gateId(),
                ctx.channel().id().asShortText(), cause);
        ctx.close();
    }
}
