package io.magpie.gate.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.Objects;

/**
 * The client TCP listener's pipeline: TLS first when enabled ({@link TlsStage}), then the frame codec
 * and the shared stages.
 */
public final class TcpClientInitializer extends ChannelInitializer<SocketChannel> {

    private final ClientPipeline stages;
    private final ClientConnections connections;
    private final TlsStage tls;

    /** A plaintext listener. */
    public TcpClientInitializer(ClientPipeline stages, ClientConnections connections) {
        this(stages, connections, TlsStage.plaintext());
    }

    public TcpClientInitializer(ClientPipeline stages, ClientConnections connections, TlsStage tls) {
        this.stages = Objects.requireNonNull(stages, "stages");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.tls = Objects.requireNonNull(tls, "tls");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        if (connections.admit(channel)) {
            tls.addFirst(channel);
            stages.addClientStages(channel.pipeline(), "tcp");
        }
    }
}
