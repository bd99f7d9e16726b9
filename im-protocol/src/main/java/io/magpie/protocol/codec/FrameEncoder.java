package io.magpie.protocol.codec;

import io.magpie.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@link Frame} to header + body bytes, showing each frame to an observer first (the gate counts frames by
 * command there). Stateless and shared by all channels.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    /** The encoder without an observer. */
    public static final FrameEncoder INSTANCE = new FrameEncoder(frame -> { });

    private final Consumer<? super Frame> observer;

    /** @param observer sees every frame before it is encoded, on its channel's event loop; thread-safe, never blocks */
    public FrameEncoder(Consumer<? super Frame> observer) {
        super(Frame.class);
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        int size = Frame.HEADER_BYTES + frame.body().length;
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        observer.accept(frame);
        writeTo(frame, out);
    }

    /** Writes one frame's bytes; shared with code that batches frames into one buffer. */
    public static void writeTo(Frame frame, ByteBuf out) {
        out.writeShort(Frame.MAGIC);
        out.writeByte(Frame.VERSION);
        out.writeByte(frame.flags());
        out.writeShort(frame.command());
        out.writeInt(frame.requestId());
        out.writeInt(frame.body().length);
        out.writeBytes(frame.body());
    }
}
