package io.magpie.protocol.codec;

import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes to {@link Frame}s, the same for TCP and for the payload of WebSocket binary frames.
 * Violations surface as {@link FrameDecodingException} to {@link ProtocolErrorHandler}, which answers
 * with an ERROR frame and closes. Each decoded frame is shown to an observer first (the gate counts frames by
 * command there, without a pipeline stage of its own: a stage is heap on every connection). One instance per
 * channel.
 */
public class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    private static final Consumer<Frame> NO_OBSERVER = frame -> { };

    private final FrameParser parser;
    private final Consumer<? super Frame> observer;

    public FrameDecoder(int maxBodyBytes) {
        this(maxBodyBytes, NO_OBSERVER);
    }

    /**
     * @param observer sees every frame before it goes on, on the channel's event loop; must not block, and
     *                 should be one object shared by the channels (it is kept per channel)
     */
    public FrameDecoder(int maxBodyBytes, Consumer<? super Frame> observer) {
        this.parser = new FrameParser(maxBodyBytes);
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            Frame frame = parser.next(in);
            if (frame != null) {
                observer.accept(frame);
                out.add(frame);
            }
        } catch (ProtocolException e) {
            throw new FrameDecodingException(e);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (parser.midFrame() || in.isReadable()) {
            log.debug("[{}] connection ended inside a frame ({} bytes of it buffered); frame dropped",
                    ctx.channel().id().asShortText(), in.readableBytes());
        }
    }
}
