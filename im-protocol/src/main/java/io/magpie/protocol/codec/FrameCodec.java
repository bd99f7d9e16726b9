package io.magpie.protocol.codec;

import io.magpie.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Both directions of the frame format in one pipeline stage: decodes as {@link FrameDecoder} and writes each
 * outbound {@link Frame} through a shared {@link FrameEncoder} (anything else passes untouched). For a server
 * that holds many idle connections: a stage is a pipeline context on every connection's heap, 56 bytes for an
 * encoder stage of its own (docs/benchmarks.md). One instance per channel.
 */
public final class FrameCodec extends FrameDecoder implements ChannelOutboundHandler {

    private final FrameEncoder encoder;

    /**
     * @param observer sees every decoded frame (see {@link FrameDecoder#FrameDecoder(int, Consumer)})
     * @param encoder  encodes the outbound frames; shared by the channels
     */
    public FrameCodec(int maxBodyBytes, Consumer<? super Frame> observer, FrameEncoder encoder) {
        super(maxBodyBytes, observer);
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        encoder.write(ctx, msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
            ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }
}
