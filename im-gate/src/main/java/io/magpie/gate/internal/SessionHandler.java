package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.ProtocolErrorHandler;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Objects;

/**
 * The {@value ClientPipeline#SESSION} stage of a logged-in connection: hands each frame to the session's
 * {@link SessionPart}s in their order until one takes it (a frame none takes goes on down the pipeline), flushes
 * what they answered once per read burst (or as soon as the answers fill the channel's write buffer), writes a
 * {@link TrackedPush} through the {@link PushAcks} part, tells every part when the connection closes, and, being
 * the last stage, answers an exception as {@link ProtocolErrorHandler} does (ERROR, and a close when fatal).
 *
 * <p>One stage for the parts, not a stage each: the parts are the ordered steps of one concern, what a session's
 * frames do, and a pipeline stage is a 56-byte context on every idle connection's heap for nothing the parts use
 * (docs/benchmarks.md, "Heap per idle connection"). Each part keeps one job and is tested through this stage.
 * One instance per connection, created at login; confined to the channel's event loop.
 */
final class SessionHandler extends ChannelDuplexHandler {

    private final Session session;
    private final SessionPart[] parts;
    /** The part outbound pushes go through; null when this stage has none (tests of other parts). */
    private final PushAcks pushAcks;

    /** @param parts in the order they see a frame */
    SessionHandler(Session session, SessionPart... parts) {
        this.session = Objects.requireNonNull(session, "session");
        this.parts = parts.clone();
        PushAcks acks = null;
        for (SessionPart part : this.parts) {
            Objects.requireNonNull(part, "part");
            if (part instanceof PushAcks p) {
                acks = p;
            }
        }
        this.pushAcks = acks;
    }

    /** The part of the given type, or null. */
    <T extends SessionPart> T part(Class<T> type) {
        for (SessionPart part : parts) {
            if (type.isInstance(part)) {
                return type.cast(part);
            }
        }
        return null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        for (SessionPart part : parts) {
            part.added(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            for (SessionPart part : parts) {
                if (part.read(ctx, session, frame)) {
                    if (!ctx.channel().isWritable()) {
                        ctx.flush(); // a burst of answers past the high water mark: out with them now
                    }
                    return;
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProtocolErrorHandler.INSTANCE.exceptionCaught(ctx, cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (pushAcks != null && msg instanceof TrackedPush push) {
            pushAcks.write(ctx, push, promise);
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closed();
    }

    private void closed() {
        for (SessionPart part : parts) {
            part.closed(session);
        }
    }
}
