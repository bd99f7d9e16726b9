package io.magpie.gate.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.Objects;

/** The client TCP listener's pipeline: the frame codec straight on the socket, then the shared stages. */
public final class TcpClientInitializer extends ChannelInitializer<SocketChannel> {

    private final ClientPipeline stages;
    private final ClientConnections connections;

    public TcpClientInitializer(ClientPipeline stages, ClientConnections connections) {
        this.stages = Objects.requireNonNull(stages, "stages");
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        if (connections.admit(channel)) {
            stages.addClientStages(channel.pipeline(), "tcp");
        }
    }
}
