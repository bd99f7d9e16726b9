package io.magpie.protocol.codec;

import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frames;
import io.magpie.protocol.ProtocolException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last inbound stage of a pipeline (or what its last stage calls from {@code exceptionCaught}, as the
 * gate's login and session stages do): turns a {@link ProtocolException} (from decoding or
 * from a handler) into an ERROR frame answering the exception's request id (0 for decoding errors),
 * closing the connection when the violation is fatal. An {@link IOException} just closes, and so does a
 * {@link CorruptedFrameException} from a decoder below ours (a broken WebSocket frame). Any other
 * exception closes that one connection with an INTERNAL error; nothing escapes the pipeline.
 * Stateless and shared.
 */
@Sharable
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {

    public static final ProtocolErrorHandler INSTANCE = new ProtocolErrorHandler();
    private static final Logger log = LoggerFactory.getLogger(ProtocolErrorHandler.class);

    private ProtocolErrorHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProtocolException pe = protocolCause(cause);
        String who = ctx.channel().id().asShortText() + " " + ctx.channel().remoteAddress();
        if (pe != null) {
            var write = ctx.writeAndFlush(Frames.error(pe.requestId(), pe.command(), pe.code(), pe.getMessage()));
            if (pe.fatal()) {
                log.info("[{}] protocol violation {}, closing: {}", who, pe.code(), pe.getMessage());
                write.addListener(ChannelFutureListener.CLOSE);
            } else {
                // Non-fatal violations are answered and the connection goes on; a client can
                // repeat them at will, so they stay out of the INFO log.
                log.debug("[{}] request refused {}: {}", who, pe.code(), pe.getMessage());
            }
            return;
        }
        if (cause instanceof IOException) {
            log.debug("[{}] connection error: {}", who, cause.toString());
            ctx.close();
            return;
        }
        if (cause instanceof CorruptedFrameException) {
            // Broken framing below ours (e.g. a WebSocket frame unmasked, oversized or not UTF-8): the
            // client's fault, and Netty's decoder already answered it with a close frame. Not INTERNAL,
            // and no stack trace per bad client.
            log.info("[{}] protocol violation below the frame codec, closing: {}", who, cause.getMessage());
            ctx.close();
            return;
        }
        log.warn("[{}] unexpected error, closing this connection", who, cause);
        ctx.writeAndFlush(Frames.error(0, 0, ErrorCode.INTERNAL, "internal server error; reconnect and resend"))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static ProtocolException protocolCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ProtocolException pe) {
                return pe;
            }
        }
        return null;
    }
}
