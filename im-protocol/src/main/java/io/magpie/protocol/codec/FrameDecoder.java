package io.magpie.protocol.codec;

import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes to {@link Frame}s, the same for TCP and for the payload of WebSocket binary frames.
 * Violations surface as {@link FrameDecodingException} to {@link ProtocolErrorHandler}, which answers
 * with an ERROR frame and closes. One instance per channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    private final FrameParser parser;

    public FrameDecoder(int maxBodyBytes) {
        this.parser = new FrameParser(maxBodyBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            Frame frame = parser.next(in);
            if (frame != null) {
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
