package io.magpie.gate.internal;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a logged-in client's requests to logic (ARCHITECTURE §2 step 4): SEND and the commands
 * logic serves ({@link UpstreamKeys#FORWARDED}) are wrapped untouched in an {@link UpstreamEnvelope}
 * that carries the session's authenticated uid, device and platform, never a uid from the body, and
 * published keyed by conversation id. A body the gate cannot read gets ERROR BAD_REQUEST and the
 * connection stays open; a bus that refuses the record gets ERROR SERVER_BUSY (retryable) with the
 * request id. Replies come later from logic as pushes. Other frames pass on.
 *
 * <p>One instance per connection, created at login.
 */
public final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

    private final Session session;
    private final UpstreamPublisher publisher;
    private final Clock clock;

    public UpstreamHandler(Session session, UpstreamPublisher publisher, Clock clock) {
        this.session = Objects.requireNonNull(session, "session");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || frame.knownCommand().filter(UpstreamKeys.FORWARDED::contains).isEmpty()) {
            ctx.fireChannelRead(msg);
            return;
        }
        UpstreamKeys.Key key;
        try {
            key = UpstreamKeys.of(frame, session.uid());
        } catch (ProtocolException e) {
            log.debug("{} refused {}: {}", session.logPrefix(), frame, e.getMessage());
            ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), e.code(),
                    e.getMessage() + "; request dropped, the connection stays open"));
            return;
        }
        UpstreamEnvelope envelope = UpstreamEnvelope.newBuilder()
                .setGateId(session.gateId())
                .setConnectionId(session.connectionId())
                .setUid(session.uid())
                .setDeviceId(session.deviceId())
                .setPlatform(session.platform())
                .setCommand(frame.command())
                .setRequestId(frame.requestId())
                .setBody(ByteString.copyFrom(frame.body()))
                .setReceivedAt(clock.millis())
                .setConversationId(key.conversationId())
                .build();
        publisher.publish(key.partitionKey(), envelope).whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("{} could not hand {} (conversation={}) to the bus; answered SERVER_BUSY",
                        session.logPrefix(), frame, key.partitionKey(), error);
                // Safe from the producer's thread: Netty runs the write on the channel's event loop.
                ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.SERVER_BUSY,
                        "the server could not accept " + Command.nameOf(frame.command())
                                + " now (message bus unavailable); resend it later, a SEND with the same client_msg_id"));
            }
        });
    }
}
