package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.PushAck;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session part of a logged-in connection that keeps its {@link WaitAckTable}. Outbound, a
 * {@link TrackedPush} (written by the internal push path; {@link SessionHandler} hands it here) goes on as its
 * frame and is remembered. Inbound, PUSH_ACK clears the messages it names (an unreadable
 * one gets ERROR BAD_REQUEST, the connection stays open). When the connection closes the table is
 * dropped. The table is made at the first PUSH, not at login: most connections sit idle, and an
 * empty table per connection is heap the gate pays for every one of them (docs/benchmarks.md). One
 * instance per connection, created at login; confined to the channel's event loop.
 */
public final class PushAcks implements SessionPart {

    private static final Logger log = LoggerFactory.getLogger(PushAcks.class);

    private final Session session;
    private final Shared shared;
    private ChannelHandlerContext ctx;
    /** Made at the first PUSH (null until then); cleared when the connection closes. */
    private WaitAckTable table;
    private boolean closed;

    /**
     * What every connection of a gate keeps its table with, shared by them (not four fields on every
     * connection's heap).
     *
     * @param clock  ages in log lines
     * @param ticker when resends fall due (see {@link WaitAckTable})
     * @param events the gate's meters: PUSH_ACK latency, resends, skipped resends, give-ups
     */
    public record Shared(WaitAckTable.Settings settings, Clock clock, Ticker ticker, WaitAckTable.Events events) {
        public Shared {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(ticker, "ticker");
            Objects.requireNonNull(events, "events");
        }
    }

    public PushAcks(Session session, WaitAckTable.Settings settings, Clock clock, Ticker ticker) {
        this(session, settings, clock, ticker, WaitAckTable.Events.NONE);
    }

    public PushAcks(Session session, WaitAckTable.Settings settings, Clock clock, Ticker ticker,
            WaitAckTable.Events events) {
        this(session, new Shared(settings, clock, ticker, events));
    }

    public PushAcks(Session session, Shared shared) {
        this.session = Objects.requireNonNull(session, "session");
        this.shared = Objects.requireNonNull(shared, "shared");
    }

    @Override
    public void added(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The connection's table, made now if no PUSH made it yet; on the event loop only (tests use it too). */
    WaitAckTable table() {
        if (table == null) {
            table = newTable(ctx);
            if (closed) {
                table.clear(); // a push written after close is ignored, as the table's contract says
            }
        }
        return table;
    }

    private WaitAckTable newTable(ChannelHandlerContext ctx) {
        WaitAckTable.Output output = new WaitAckTable.Output() {
            @Override
            public void write(Frame frame) {
                // Written from the session stage, so the frame meets the encoder below as on its first send.
                ctx.write(frame);
            }

            @Override
            public void flush() {
                ctx.flush();
            }

            @Override
            public boolean writable() {
                return ctx.channel().isWritable();
            }
        };
        return new WaitAckTable(session, shared.settings(), shared.clock(), shared.ticker(), ctx.executor(), output,
                shared.events());
    }

    /** Writes {@code push}'s frame and remembers it until PUSH_ACK. */
    void write(ChannelHandlerContext ctx, TrackedPush push, ChannelPromise promise) {
        ctx.write(push.frame(), promise);
        table().track(push.frame(), push.keys());
    }

    @Override
    public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
        if (!frame.is(Command.PUSH_ACK)) {
            return false;
        }
        acknowledge(ctx, frame);
        return true;
    }

    private void acknowledge(ChannelHandlerContext ctx, Frame frame) {
        PushAck ack;
        try {
            ack = Frames.parse(frame, PushAck.parser());
        } catch (ProtocolException e) {
            ctx.write(Frames.error(frame.requestId(), frame.command(), ErrorCode.BAD_REQUEST,
                    e.getMessage() + "; the connection stays open"));
            return;
        }
        List<MessageKey> keys = new ArrayList<>(ack.getAckedCount());
        for (MessageRef ref : ack.getAckedList()) {
            keys.add(new MessageKey(ref.getConversationId(), ref.getSeq()));
        }
        int waiting = table == null ? 0 : table.ack(keys);
        if (log.isDebugEnabled()) { // the prefix is a string built per PUSH_ACK: not when the line is off
            session.identify(log.atDebug())
                    .log("{} PUSH_ACK for {} message(s), {} of them were waiting", session.logPrefix(),
                            keys.size(), waiting);
        }
    }

    @Override
    public void closed(Session session) {
        closed = true;
        if (table != null) {
            table.clear();
        }
    }
}
