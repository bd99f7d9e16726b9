package io.magpie.client.internal;

import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.WebSocketFrameAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.URI;
import java.time.Duration;

/**
 * The pipeline of one client connection. TCP: {@code frameDecoder, frameEncoder, session}. WebSocket:
 * {@code httpCodec, httpAggregator, wsProtocol, wsAdapter} in front of the same stages, so the frames
 * travel inside binary WebSocket messages. On a TLS gate {@code tls} comes first (both transports;
 * {@code wss://} for WebSocket), verifying the gate's certificate against the host connected to.
 * {@code idle} and {@code heartbeat} are inserted before {@code session} after LOGIN_ACK.
 */
public final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    public static final String SESSION_STAGE = "session";

    private final URI webSocketUri;
    private final int maxFrameBytes;
    private final Duration handshakeTimeout;
    private final ClientHandler session;
    private final SslContext tls;
    private final String host;
    private final int port;

    /** A plaintext connection. @param webSocketUri the gate's ws URL, or null for plain TCP */
    public ClientChannelInitializer(URI webSocketUri, int maxFrameBytes, Duration handshakeTimeout,
                                    ClientHandler session) {
        this(webSocketUri, maxFrameBytes, handshakeTimeout, session, null, null, 0);
    }

    /**
     * @param webSocketUri the gate's ws or wss URL, or null for TCP
     * @param tls          client TLS context, or null for plaintext
     * @param host         the host connected to: sent as SNI and verified against the certificate
     * @param port         the port connected to
     */
    public ClientChannelInitializer(URI webSocketUri, int maxFrameBytes, Duration handshakeTimeout,
                                    ClientHandler session, SslContext tls, String host, int port) {
        this.webSocketUri = webSocketUri;
        this.maxFrameBytes = maxFrameBytes;
        this.handshakeTimeout = handshakeTimeout;
        this.session = session;
        this.tls = tls;
        this.host = host;
        this.port = port;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            SslHandler ssl = tls.newHandler(ch.alloc(), host, port);
            ssl.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
            p.addLast("tls", ssl);
        }
        if (webSocketUri != null) {
            WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(webSocketUri)
                    .version(WebSocketVersion.V13)
                    .maxFramePayloadLength(maxFrameBytes + Frame.HEADER_BYTES)
                    .handshakeTimeoutMillis(handshakeTimeout.toMillis())
                    .dropPongFrames(true)
                    .build();
            p.addLast("httpCodec", new HttpClientCodec());
            p.addLast("httpAggregator", new HttpObjectAggregator(64 * 1024));
            p.addLast("wsProtocol", new WebSocketClientProtocolHandler(ws));
            p.addLast("wsAdapter", WebSocketFrameAdapter.INSTANCE);
        }
        p.addLast("frameDecoder", new FrameDecoder(maxFrameBytes));
        p.addLast("frameEncoder", FrameEncoder.INSTANCE);
        p.addLast(SESSION_STAGE, session);
    }
}
