package io.magpie.gate.internal;

import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.LogIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code slow-reader} stage: bounds what a client that does not read can cost the gate (issue 8
 * point 3). Every write toward the client is checked against the bytes already queued on the channel
 * (written or flushed, not yet taken by the socket): one that would pass {@code maxOutboundBytes}
 * is refused and the connection is closed; a channel that stays unwritable (above its high water
 * mark) for {@code unwritableTimeout} is closed too. Either way the client gets ERROR
 * {@code SLOW_CONSUMER} saying why, if it reads within {@link #CLOSE_GRACE}; the connection is closed
 * then at the latest. Nothing is lost: storage has the messages, the client SYNCs and PULLs on
 * reconnect. While closing, reads stop and further writes are refused.
 *
 * <p>Costs one scheduled task per unwritable episode, none while the client keeps up. One instance
 * per connection (installed before login, told the session at login); confined to the channel's event
 * loop.
 */
public final class SlowReaderGuard extends ChannelDuplexHandler {

    /** How long a closing connection has to take its ERROR before it is closed anyway. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(SlowReaderGuard.class);

    private final Limits limits;
    private Session session;
    private ScheduledFuture<?> unwritableCheck;
    private boolean closing;

    /**
     * The limits of a gate's connections, shared by them (not three fields on every connection's heap).
     *
     * @param maxOutboundBytes  bytes queued for one client at most ({@code gate.limits.max-outbound-bytes})
     * @param unwritableTimeout how long a client's output may stay blocked ({@code gate.limits.unwritable-timeout})
     */
    public record Limits(String gateId, long maxOutboundBytes, Duration unwritableTimeout) {
        public Limits {
            Objects.requireNonNull(gateId, "gateId");
            Objects.requireNonNull(unwritableTimeout, "unwritableTimeout");
        }
    }

    public SlowReaderGuard(String gateId, long maxOutboundBytes, Duration unwritableTimeout) {
        this(new Limits(gateId, maxOutboundBytes, unwritableTimeout));
    }

    public SlowReaderGuard(Limits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Names the session in later log lines. */
    void loggedIn(Session session) {
        this.session = session;
    }

    /** Whether this connection is being closed for being too slow. */
    boolean closing() {
        return closing;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        long queued = queuedBytes(ctx);
        long size = sizeOf(msg);
        if (queued + size > limits.maxOutboundBytes()) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            close(ctx, "the client is not reading: " + queued + " bytes are queued for it and the next frame ("
                    + size + " bytes) would pass gate.limits.max-outbound-bytes=" + limits.maxOutboundBytes());
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            cancelCheck();
        } else if (unwritableCheck == null && !closing) {
            unwritableCheck = ctx.executor().schedule(() -> stillUnwritable(ctx), limits.unwritableTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg); // a client that does not read gets nothing more done for it
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelCheck();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelCheck();
    }

    private void stillUnwritable(ChannelHandlerContext ctx) {
        unwritableCheck = null;
        if (!closing && ctx.channel().isActive() && !ctx.channel().isWritable()) {
            close(ctx, "the client is not reading: its output has been blocked for gate.limits.unwritable-timeout="
                    + limits.unwritableTimeout().toMillis() + " ms (" + queuedBytes(ctx) + " bytes queued)");
        }
    }

    private void close(ChannelHandlerContext ctx, String why) {
        closing = true;
        cancelCheck();
        (session != null ? session.identify(log.atInfo()) : LogIdentity.gate(log.atInfo(), limits.gateId()))
                .log("{} {}; closing connection (its messages are in storage)", who(ctx), why);
        ctx.channel().config().setAutoRead(false);
        // Written from this stage, so it is not refused by the check above; it gets out only if the
        // client reads again within the grace period.
        ctx.writeAndFlush(Frames.error(0, 0, ErrorCode.SLOW_CONSUMER, why + "; closing connection: reconnect, "
                + "then SYNC and PULL (nothing is lost)")).addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSE_GRACE.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancelCheck() {
        if (unwritableCheck != null) {
            unwritableCheck.cancel(false);
            unwritableCheck = null;
        }
    }

    private static long queuedBytes(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    private static long sizeOf(Object msg) {
        if (msg instanceof Frame frame) {
            return Frame.HEADER_BYTES + frame.body().length;
        }
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 0;
    }

    private String who(ChannelHandlerContext ctx) {
        return session != null ? session.logPrefix()
                : "[gate=" + limits.gateId() + " channel=" + ctx.channel().id().asShortText() + " remote="
                        + ctx.channel().remoteAddress() + "]";
    }
}
