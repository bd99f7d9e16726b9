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
 * for a client that does not read), the WebSocket protocol handler on {@code gate.ws-path} (one WebSocket
 * message carries at most one largest frame), a 404 for any other HTTP request, the binary-message adapter, then the shared stages.
 */
public final class WebSocketClientInitializer extends ChannelInitializer<SocketChannel> {

    /** The upgrade request is small; anything bigger is not a WebSocket handshake. */
    private static final int MAX_HANDSHAKE_BYTES = 16 * 1024;

    private final ClientPipeline stages;
    private final ClientConnections connections;
    private final WebSocketServerProtocolConfig wsConfig;
    private final TlsStage tls;

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
        this.wsConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .maxFramePayloadLength(maxFrameBytes + Frame.HEADER_BYTES)
                .checkStartsWith(false)
                .build();
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
                .addLast("ws-protocol", new WebSocketServerProtocolHandler(wsConfig))
                .addLast("ws-not-found", new WebSocketPathGuard(wsConfig.websocketPath()))
                .addLast("ws-adapter", WebSocketFrameAdapter.INSTANCE);
        stages.addClientStages(channel.pipeline(), "ws");
    }
}
