package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.WebSocketFrameAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.Objects;

/**
 * The client WebSocket listener's pipeline: TLS first when enabled ({@link TlsStage}: the listener
 * then serves {@code wss://}), HTTP codec and aggregator for the upgrade, the ping stage
 * ({@link WebSocketPingHandler}: pings spend the frame budget, pongs count as output and are not queued
 * for a client that does not read), the violation stage ({@link WebSocketViolationHandler}: a refused
 * WebSocket frame is answered like a broken header on TCP), the WebSocket protocol handler on
 * {@code gate.ws-path} (one WebSocket frame carries at most {@link #maxWebSocketFrameBytes} bytes; the
 * payloads of binary messages are one byte stream, as on TCP), a 404 for any other HTTP request, the
 * binary-message adapter, then the shared stages.
 */
public final class WebSocketClientInitializer extends ChannelInitializer<SocketChannel> {

    /** The upgrade request is small; anything bigger is not a WebSocket handshake. */
    private static final int MAX_HANDSHAKE_BYTES = 16 * 1024;
    /** The least limit of one WebSocket frame's payload: room for several largest Magpie frames of the default size. */
    static final int MIN_WEBSOCKET_FRAME_BYTES = 256 * 1024;

    private final ClientPipeline stages;
    private final ClientConnections connections;
    private final WebSocketServerProtocolConfig wsConfig;
    private final TlsStage tls;
    private final WebSocketViolationHandler violations;

    /** A plaintext ({@code ws://}) listener. */
    public WebSocketClientInitializer(ClientPipeline stages, ClientConnections connections, String path,
            int maxFrameBytes) {
        this(stages, connections, path, maxFrameBytes, TlsStage.plaintext());
    }

    public WebSocketClientInitializer(ClientPipeline stages, ClientConnections connections, String path,
            int maxFrameBytes, TlsStage tls) {
        this.stages = Objects.requireNonNull(stages, "stages");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.tls = Objects.requireNonNull(tls, "tls");
        int maxWebSocketFrame = maxWebSocketFrameBytes(maxFrameBytes);
        this.wsConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .maxFramePayloadLength(maxWebSocketFrame)
                // the violation stage answers (ERROR FRAME_TOO_LARGE first when it is the size), then closes
                .closeOnProtocolViolation(false)
                .checkStartsWith(false)
                .build();
        this.violations = new WebSocketViolationHandler(maxWebSocketFrame);
    }

    /**
     * The limit of one WebSocket frame's payload (a whole message, or one fragment of a fragmented one):
     * {@value #MIN_WEBSOCKET_FRAME_BYTES} bytes, or one largest Magpie frame when that is more. Payloads are a
     * byte stream to the frame decoder (frames may span messages), so a message holds any number of frames;
     * this only bounds what Netty buffers before handing a WebSocket frame on.
     */
    static int maxWebSocketFrameBytes(int maxFrameBytes) {
        return Math.max(MIN_WEBSOCKET_FRAME_BYTES, maxFrameBytes + Frame.HEADER_BYTES);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        if (!connections.admit(channel)) {
            return;
        }
        tls.addFirst(channel);
        channel.pipeline()
                .addLast("http-codec", new HttpServerCodec())
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_BYTES))
                .addLast(WebSocketPingHandler.NAME, stages.newPingHandler())
                .addLast(WebSocketViolationHandler.NAME, violations)
                .addLast("ws-protocol", new WebSocketServerProtocolHandler(wsConfig))
                .addLast("ws-not-found", new WebSocketPathGuard(wsConfig.websocketPath()))
                .addLast("ws-adapter", WebSocketFrameAdapter.INSTANCE);
        stages.addClientStages(channel.pipeline(), "ws");
    }
}
