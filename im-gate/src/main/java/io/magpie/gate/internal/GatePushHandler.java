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
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the internal push port (ARCHITECTURE §2 step 8, gate side): a GATE_PUSH from a router is
 * written as one frame (command, request id, body) to each listed connection that is live on this
 * gate and belongs to the listed uid; a KICK is written and then closes that client connection. The
 * router gets GATE_PUSH_ACK with the same request id, the number of connections written and the ids it
 * listed that this gate does not have (so it can treat those users as offline). A PUSH goes out as a
 * {@link TrackedPush} (its messages parsed once here), so each connection's {@link PushAcks} keeps it
 * until PUSH_ACK. A malformed GATE_PUSH gets ERROR BAD_REQUEST; any other command gets ERROR
 * UNKNOWN_COMMAND; the router connection stays open.
 *
 * <p>Writes to client channels run on their own event loops and are gathered over one read burst of the
 * router link (every GATE_PUSH read before {@code channelReadComplete}; a router's batch usually arrives in
 * one): each event loop gets one task that writes every frame of the burst to its channels, in the order
 * the GATE_PUSHes came, then flushes each channel once. A group's batch of messages thus usually reaches
 * each member in one socket write instead of one per message, and the member's PUSH_ACKs come back together;
 * a cross-thread task (and wake-up) per recipient or per GATE_PUSH was what a fan-out spent its CPU on.
 * One instance per router link (it holds that link's burst); the session table is shared.
 */
public final class GatePushHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(GatePushHandler.class);

    private final String gateId;
    private final SessionTable sessions;
    private final HopLatencies hops;
    private final Clock clock;
    /** This read burst's writes per client event loop, in the order their GATE_PUSHes came; empty between bursts. */
    private final Map<EventLoop, LoopWrites> burst = new LinkedHashMap<>();
    /** Numbers this link's GATE_PUSHes, so a loop's writes record each traced one once. */
    private long pushSerial;

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

    /** Every GATE_PUSH of the burst is answered and queued; the burst's writes go out once it was read. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writeBurst();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        writeBurst(); // their GATE_PUSH_ACKs may have gone out: the clients still get what was answered for
    }

    private GatePushAck deliver(GatePush push, Command command) {
        Runnable traced = traceRecorder(push, command);
        Frame frame = new Frame(push.getCommand(), push.getRequestId(), 0, push.getBody().toByteArray());
        Object out = command == Command.PUSH ? tracked(frame) : frame;
        boolean kick = command == Command.KICK;
        GatePushAck.Builder ack = GatePushAck.newBuilder();
        long serial = ++pushSerial;
        int count = 0;
        for (ConnectionRef ref : push.getConnectionsList()) {
            Session session = sessions.byConnection(ref.getConnectionId());
            EventLoop loop = session == null ? null : session.channel().eventLoop();
            if (session == null || session.uid() != ref.getUid() || !session.channel().isActive()
                    || loop.isShuttingDown()) {
                // not here, or the gate is shutting down and this connection is going away: the router treats it as offline
                ack.addMissingConnectionIds(ref.getConnectionId());
                continue;
            }
            count++;
            if (kick) {
                session.identify(log.atInfo()).log("{} kicked by the cluster; closing connection", session.logPrefix());
            }
            LoopWrites writes = burst.computeIfAbsent(loop, l -> new LoopWrites());
            writes.add(session.channel(), out, kick);
            if (traced != null && writes.lastPushSerial != serial) { // once per GATE_PUSH and loop
                writes.lastPushSerial = serial;
                writes.traces.add(traced);
            }
        }
        if (ack.getMissingConnectionIdsCount() > 0) {
            LogIdentity.gate(log.atDebug(), gateId)
                    .log("[gate={}] GATE_PUSH {} request={}: {} connection(s) not here", gateId, command,
                    push.getRequestId(), ack.getMissingConnectionIdsCount());
        }
        return ack.setWritten(count).build();
    }

    /** Hands each event loop its part of the burst (run at once on the link's own loop) and starts a new burst. */
    private void writeBurst() {
        if (burst.isEmpty()) {
            return;
        }
        // taken out first: a burst is handed out once, even if a write run on this loop throws
        List<Map.Entry<EventLoop, LoopWrites>> due = List.copyOf(burst.entrySet());
        burst.clear();
        for (Map.Entry<EventLoop, LoopWrites> perLoop : due) {
            EventLoop loop = perLoop.getKey();
            LoopWrites writes = perLoop.getValue();
            if (loop.inEventLoop()) {
                writes.run();
                continue;
            }
            try {
                loop.execute(writes);
            } catch (RejectedExecutionException e) {
                // shut down since the GATE_PUSH_ACK counted them: the connections are gone, their clients SYNC on reconnect
                LogIdentity.gate(log.atWarn(), gateId).log("[gate={}] {} frame(s) not written: their event loop shut "
                        + "down after the router was told they were written ({})", gateId, writes.size(), e.toString());
            }
        }
    }

    /**
     * One event loop's writes of a burst: every frame in order, a KICK flushed and followed by its close, then
     * one flush per channel, then the hop records of the traced GATE_PUSHes among them. Runs on that loop. A
     * channel whose unflushed frames pass its high water mark is flushed at once: written-but-unflushed bytes count
     * toward the slow-reader bound ({@code gate.limits.max-outbound-bytes}, at least twice the high water mark), and
     * a burst of a backlog to one connection must not reach it before the socket had a chance to take them.
     */
    private static final class LoopWrites implements Runnable {

        private final List<Write> writes = new ArrayList<>();
        private final List<Runnable> traces = new ArrayList<>(0);
        private long lastPushSerial;

        void add(Channel channel, Object frame, boolean closeAfter) {
            writes.add(new Write(channel, frame, closeAfter));
        }

        int size() {
            return writes.size();
        }

        @Override
        public void run() {
            Set<Channel> unflushed = new HashSet<>();
            for (Write write : writes) {
                if (write.closeAfter()) {
                    write.channel().writeAndFlush(write.frame()).addListener(ChannelFutureListener.CLOSE);
                } else {
                    write.channel().write(write.frame());
                    if (write.channel().isWritable()) {
                        unflushed.add(write.channel());
                    } else {
                        write.channel().flush();
                    }
                }
            }
            for (Channel channel : unflushed) {
                channel.flush();
            }
            traces.forEach(Runnable::run);
        }

        private record Write(Channel channel, Object frame, boolean closeAfter) {
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
