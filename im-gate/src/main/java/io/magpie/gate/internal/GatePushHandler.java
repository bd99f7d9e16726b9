package io.magpie.gate.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.gate.HopLatencies;
import io.magpie.protocol.Command;
import io.magpie.protocol.EpochMicros;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.HopTrace;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Push;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the internal push port (ARCHITECTURE §2 step 8, gate side): a GATE_PUSH from a router is
 * written as one frame (command, request id, body) to each listed connection that is live on this
 * gate and belongs to the listed uid, flushed once per connection per GATE_PUSH; a KICK is written
 * and then closes that client connection. The router gets GATE_PUSH_ACK with the same request id,
 * the number of connections written and the ids it listed that this gate does not have (so it can
 * treat those users as offline). A PUSH goes out as a {@link TrackedPush} (its messages parsed once
 * here), so each connection's {@link PushAcks} keeps it until PUSH_ACK. A malformed GATE_PUSH gets ERROR
 * BAD_REQUEST; any other command gets ERROR UNKNOWN_COMMAND; the router connection stays open.
 *
 * <p>Writes to client channels run on their own event loops: the recipients of one GATE_PUSH are
 * grouped by event loop and each loop gets one task that writes to all of its channels, then flushes
 * them, instead of a cross-thread write and flush task (and wake-up) per recipient, which is what a
 * group fan-out spent its CPU on. A KICK is rare and goes per connection. Stateless apart from the
 * shared, thread-safe session table: one instance serves every router connection.
 */
@Sharable
public final class GatePushHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(GatePushHandler.class);

    private final String gateId;
    private final SessionTable sessions;
    private final HopLatencies hops;
    private final Clock clock;

    /** A handler that records no hop latencies. */
    public GatePushHandler(String gateId, SessionTable sessions) {
        this(gateId, sessions, null, Clock.systemUTC());
    }

    /**
     * @param hops  records the hop trace of each traced frame once it is flushed; null = not recorded
     * @param clock stamps when a GATE_PUSH was read and its frames flushed
     */
    public GatePushHandler(String gateId, SessionTable sessions, HopLatencies hops, Clock clock) {
        this.gateId = Objects.requireNonNull(gateId, "gateId");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.hops = hops;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!frame.is(Command.GATE_PUSH)) {
            ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.UNKNOWN_COMMAND,
                    "the internal port serves GATE_PUSH only, got " + Command.nameOf(frame.command())));
            return;
        }
        GatePush push;
        try {
            push = Frames.parse(frame, GatePush.parser());
        } catch (ProtocolException e) {
            ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.BAD_REQUEST, e.getMessage()));
            return;
        }
        Command command = Command.fromCode(push.getCommand()).orElse(null);
        if (command == null || command.internal()) {
            ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.BAD_REQUEST,
                    "GATE_PUSH carries command " + Command.nameOf(push.getCommand())
                            + ", which is not a client command; nothing written"));
            return;
        }
        ctx.writeAndFlush(Frames.of(Command.GATE_PUSH_ACK, frame.requestId(), deliver(push, command)));
    }

    private GatePushAck deliver(GatePush push, Command command) {
        Runnable traced = traceRecorder(push, command);
        Frame frame = new Frame(push.getCommand(), push.getRequestId(), 0, push.getBody().toByteArray());
        Object out = command == Command.PUSH ? tracked(frame) : frame;
        GatePushAck.Builder ack = GatePushAck.newBuilder();
        Map<EventLoop, List<Session>> byLoop = new HashMap<>();
        int count = 0;
        for (ConnectionRef ref : push.getConnectionsList()) {
            Session session = sessions.byConnection(ref.getConnectionId());
            if (session == null || session.uid() != ref.getUid() || !session.channel().isActive()) {
                ack.addMissingConnectionIds(ref.getConnectionId());
                continue;
            }
            count++;
            if (command == Command.KICK) {
                session.identify(log.atInfo()).log("{} kicked by the cluster; closing connection", session.logPrefix());
                session.channel().writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
            } else {
                byLoop.computeIfAbsent(session.channel().eventLoop(), loop -> new ArrayList<>()).add(session);
            }
        }
        for (Map.Entry<EventLoop, List<Session>> perLoop : byLoop.entrySet()) {
            EventLoop loop = perLoop.getKey();
            List<Session> targets = perLoop.getValue();
            if (loop.inEventLoop()) {
                writeAndFlush(targets, out, traced);
                continue;
            }
            try {
                loop.execute(() -> writeAndFlush(targets, out, traced));
            } catch (RejectedExecutionException e) {
                // the gate is shutting down: these connections are going away, the router treats them as offline
                count -= targets.size();
                targets.forEach(t -> ack.addMissingConnectionIds(t.connectionId()));
            }
        }
        if (ack.getMissingConnectionIdsCount() > 0) {
            LogIdentity.gate(log.atDebug(), gateId)
                    .log("[gate={}] GATE_PUSH {} request={}: {} connection(s) not here", gateId, command,
                    push.getRequestId(), ack.getMissingConnectionIdsCount());
        }
        return ack.setWritten(count).build();
    }

    /** On the channels' event loop: every write first, then one flush per channel, then the hop record. */
    private static void writeAndFlush(List<Session> targets, Object out, Runnable traced) {
        for (Session target : targets) {
            target.channel().write(out);
        }
        for (Session target : targets) {
            target.channel().flush();
        }
        if (traced != null) {
            traced.run();
        }
    }

    /**
     * What records a traced GATE_PUSH's hops once an event loop flushed its frames (per GATE_PUSH and event
     * loop: a fan-out over several loops records once per loop); null when there is nothing to record.
     */
    private Runnable traceRecorder(GatePush push, Command command) {
        if (hops == null || !push.hasTrace()) {
            return null;
        }
        long receivedUs = EpochMicros.now(clock);
        HopTrace trace = push.getTrace();
        return () -> hops.record(command, trace, receivedUs, EpochMicros.now(clock));
    }

    /**
     * The PUSH with the (conversation, seq) of its messages, parsed once for every connection it goes
     * to, so each connection's wait-ACK table can track it; a body that is not a Push (a router bug) or
     * names no message is written as it is, untracked.
     */
    private Object tracked(Frame frame) {
        Push push;
        try {
            push = Push.parseFrom(frame.body());
        } catch (InvalidProtocolBufferException e) {
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate={}] GATE_PUSH request={} carries a PUSH body of {} bytes that is not a Push ({}); "
                    + "written as it is, without waiting for PUSH_ACK or resending", gateId, frame.requestId(),
                    frame.body().length, e.getMessage());
            return frame;
        }
        if (push.getMessagesCount() == 0) {
            return frame;
        }
        List<MessageKey> keys = new ArrayList<>(push.getMessagesCount());
        for (Message message : push.getMessagesList()) {
            keys.add(new MessageKey(message.getConversationId(), message.getSeq()));
        }
        return new TrackedPush(frame, keys);
    }
}
