package io.magpie.gate.internal;

import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a WebSocket frame that Netty's decoder refused, like the frame codec answers a broken header on
 * TCP: a WebSocket frame over the listener's limit gets ERROR {@code FRAME_TOO_LARGE} (request id 0) and
 * then a close frame with status 1009; any other broken WebSocket frame (unmasked, reserved bits, a
 * fragmented control frame...) gets the close status the decoder chose (1002 mostly), without an ERROR.
 * Then the connection is closed; one INFO line, no stack trace. Sits before the WebSocket protocol handler
 * (whose own answer would close at once, before anything is written), so the decoder must be configured
 * not to close by itself. Immutable and shared.
 */
@Sharable
final class WebSocketViolationHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "ws-violations";
    private static final Logger log = LoggerFactory.getLogger(WebSocketViolationHandler.class);

    private final int maxWebSocketFrameBytes;

    /** @param maxWebSocketFrameBytes the listener's limit of one WebSocket frame's payload, for the ERROR's words */
    WebSocketViolationHandler(int maxWebSocketFrameBytes) {
        this.maxWebSocketFrameBytes = maxWebSocketFrameBytes;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof CorruptedWebSocketFrameException broken)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        WebSocketCloseStatus status = broken.closeStatus() == null ? WebSocketCloseStatus.PROTOCOL_ERROR
                : broken.closeStatus();
        log.info("[{} {}] broken WebSocket frame, closing with {}: {}", ctx.channel().id().asShortText(),
                ctx.channel().remoteAddress(), status.code(), broken.getMessage());
        if (!ctx.channel().isActive()) {
            return;
        }
        if (status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            // written from here, below the frame encoder: encode the ERROR into the binary message ourselves
            ByteBuf error = ctx.alloc().buffer();
            FrameEncoder.writeTo(Frames.error(0, 0, ErrorCode.FRAME_TOO_LARGE, "a WebSocket frame (a message, or"
                    + " one fragment of it) is over this gate's limit of " + maxWebSocketFrameBytes + " payload bytes;"
                    + " closing connection"), error);
            ctx.write(new BinaryWebSocketFrame(error));
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
    }
}
