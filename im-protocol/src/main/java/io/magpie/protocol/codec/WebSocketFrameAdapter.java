package io.magpie.protocol.codec;

import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Carries protocol bytes inside WebSocket binary messages: inbound binary (and continuation) frames
 * become plain bytes for {@link FrameDecoder}; outbound bytes from {@link FrameEncoder} become binary
 * frames. Text frames are a protocol violation. Sits between the WebSocket protocol handler and the
 * frame codec, on servers and clients alike. Stateless and shared.
 */
@Sharable
public final class WebSocketFrameAdapter extends ChannelDuplexHandler {

    public static final WebSocketFrameAdapter INSTANCE = new WebSocketFrameAdapter();

    private WebSocketFrameAdapter() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ByteBuf content = ((WebSocketFrame) msg).content();
            ctx.fireChannelRead(content);
            return;
        }
        if (msg instanceof WebSocketFrame) {
            ReferenceCountUtil.release(msg);
            ctx.fireExceptionCaught(new FrameDecodingException(new ProtocolException(ErrorCode.BAD_REQUEST,
                    "only binary WebSocket messages carry Magpie frames, got "
                            + msg.getClass().getSimpleName() + "; closing connection", true)));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
