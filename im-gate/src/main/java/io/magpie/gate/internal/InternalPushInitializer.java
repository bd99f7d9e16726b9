package io.magpie.gate.internal;

import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.ProtocolErrorHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.Objects;

/**
 * The internal push port's pipeline (router connections): the same frame codec with a larger frame
 * limit, a GATE_PUSH_ACK flush per read burst, {@link GatePushHandler}, and the protocol error stage.
 * No login and no idle close: the port is for the cluster network only.
 */
public final class InternalPushInitializer extends ChannelInitializer<SocketChannel> {

    private final int maxFrameBytes;
    private final GatePushHandler pushHandler;
    private final ChannelGroup routerChannels;

    public InternalPushInitializer(int maxFrameBytes, GatePushHandler pushHandler, ChannelGroup routerChannels) {
        this.maxFrameBytes = maxFrameBytes;
        this.pushHandler = Objects.requireNonNull(pushHandler, "pushHandler");
        this.routerChannels = Objects.requireNonNull(routerChannels, "routerChannels");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        routerChannels.add(channel);
        channel.pipeline()
                .addLast("flush", new FlushConsolidationHandler(256, false))
                .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                .addLast("gate-push", pushHandler)
                .addLast("errors", ProtocolErrorHandler.INSTANCE);
    }
}
