package io.magpie.gate.internal;

import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.ProtocolErrorHandler;
import io.magpie.protocol.link.LinkProofs;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The internal push port's pipeline (router connections): a read timeout (a router that sends nothing,
 * not even its keepalive PING, for {@code idleTimeout} is closed), the frame codec with the internal
 * port's small frame limit, the {@link InternalLinkAuthHandler} that lets nothing through before the
 * mutual handshake on the cluster secret, a GATE_PUSH_ACK flush per read burst, a {@link GatePushHandler}
 * of the link's own (it gathers the link's read burst), and the protocol error stage.
 */
public final class InternalPushInitializer extends ChannelInitializer<SocketChannel> {

    private final String gateId;
    private final int maxFrameBytes;
    private final LinkProofs proofs;
    private final Duration handshakeTimeout;
    private final Duration idleTimeout;
    private final Supplier<GatePushHandler> pushHandlers;
    private final ChannelGroup routerChannels;

    public InternalPushInitializer(String gateId, int maxFrameBytes, LinkProofs proofs, Duration handshakeTimeout,
            Duration idleTimeout, Supplier<GatePushHandler> pushHandlers, ChannelGroup routerChannels) {
        this.gateId = Objects.requireNonNull(gateId, "gateId");
        this.maxFrameBytes = maxFrameBytes;
        this.proofs = Objects.requireNonNull(proofs, "proofs");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.pushHandlers = Objects.requireNonNull(pushHandlers, "pushHandlers");
        this.routerChannels = Objects.requireNonNull(routerChannels, "routerChannels");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        routerChannels.add(channel);
        channel.pipeline()
                .addLast("idle", new ReadTimeoutHandler(idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .addLast("flush", new FlushConsolidationHandler(256, false))
                .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                .addLast("link-auth", new InternalLinkAuthHandler(gateId, proofs, handshakeTimeout, maxFrameBytes))
                .addLast("gate-push", pushHandlers.get())
                .addLast("errors", ProtocolErrorHandler.INSTANCE);
    }
}
