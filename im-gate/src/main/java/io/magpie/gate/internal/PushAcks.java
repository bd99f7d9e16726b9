package io.magpie.gate.internal;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.PushAck;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code push-ack} stage of a logged-in connection: keeps its {@link WaitAckTable}. Outbound, a
 * {@link TrackedPush} (written by the internal push path) goes on as its frame and is remembered;
 * every other message passes untouched. Inbound, PUSH_ACK clears the messages it names (an unreadable
 * one gets ERROR BAD_REQUEST, the connection stays open). When the connection closes the table is
 * dropped. The table is made at the first PUSH, not at login: most connections sit idle, and an
 * empty table per connection is heap the gate pays for every one of them (docs/benchmarks.md). One
 * instance per connection, created at login; confined to the channel's event loop.
 */
public final class PushAckHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(PushAckHandler.class);

    private final Session session;
    private final WaitAckTable.Settings settings;
    private final Clock clock;
    private final Ticker ticker;
    private final WaitAckTable.Events events;
    private ChannelHandlerContext ctx;
    /** Made at the first PUSH (null until then); cleared when the connection closes. */
    private WaitAckTable table;
    private boolean closed;

    /**
     * @param clock  ages in log lines
     * @param ticker when resends fall due (see {@link WaitAckTable})
     */
    public PushAckHandler(Session session, WaitAckTable.Settings settings, Clock clock, Ticker ticker) {
        this(session, settings, clock, ticker, WaitAckTable.Events.NONE);
    }

    /** @param events the gate's meters: PUSH_ACK latency, resends, give-ups */
    public PushAckHandler(Session session, WaitAckTable.Settings settings, Clock clock, Ticker ticker,
            WaitAckTable.Events events) {
        this.events = Objects.requireNonNull(events, "events");
        this.session = Objects.requireNonNull(session, "session");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
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
        return new WaitAckTable(session, settings, clock, ticker, ctx.executor(), new WaitAckTable.Output() {
            @Override
            public void write(Frame frame) {
                // Written from this stage, so the frame meets the encoder below as on its first send.
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
        }, events);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        clear();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof TrackedPush push) {
            ctx.write(push.frame(), promise);
            table().track(push.frame(), push.keys());
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || !frame.is(Command.PUSH_ACK)) {
            ctx.fireChannelRead(msg);
            return;
        }
        PushAck ack;
        try {
            ack = Frames.parse(frame, PushAck.parser());
        } catch (ProtocolException e) {
            ctx.writeAndFlush(Frames.error(frame.requestId(), frame.command(), ErrorCode.BAD_REQUEST,
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
    public void channelInactive(ChannelHandlerContext ctx) {
        clear();
        ctx.fireChannelInactive();
    }

    private void clear() {
        closed = true;
        if (table != null) {
            table.clear();
        }
    }
}
