package io.magpie.gate.internal;

import io.magpie.protocol.LogIdentity;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the SslHandler: a connection whose TLS fails (a plaintext client on a TLS port, an
 * unknown protocol version, a handshake timeout, a corrupt record) is closed with one DEBUG line, not
 * a stack trace per connection: anyone on the internet can cause these. Other exceptions pass on to
 * the pipeline's last stage, which answers them ({@code ProtocolErrorHandler}). Stateless and shared.
 */
@Sharable
public final class TlsErrorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsErrorHandler.class);

    private final String gateId;

    public TlsErrorHandler(String gateId) {
        this.gateId = gateId;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            // SslHandler closes the connection itself; a failure that is also thrown is logged below
            LogIdentity.gate(log.atDebug(), gateId)
                    .log("[gate={}][{} {}] TLS handshake failed: {}", gateId, ctx.channel().id().asShortText(),
                    ctx.channel().remoteAddress(), done.cause().toString());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SSLException tls = tlsCause(cause);
        if (tls == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        LogIdentity.gate(log.atDebug(), gateId)
                .log("[gate={}][{} {}] closing: TLS error {}", gateId, ctx.channel().id().asShortText(),
                ctx.channel().remoteAddress(), tls.toString());
        ctx.close();
    }

    private static SSLException tlsCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException e) {
                return e;
            }
        }
        return null;
    }
}
