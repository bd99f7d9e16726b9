package io.magpie.protocol.codec;

import io.magpie.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** {@link Frame} to header + body bytes. Stateless and shared by all channels. */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        int size = Frame.HEADER_BYTES + frame.body().length;
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
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
