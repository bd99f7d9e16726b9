package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Objects;

/**
 * The {@value ClientPipeline#FRAMES} stage, right above the codec: counts every client frame in and out
 * by command (and every ERROR by code) in {@link GateMetrics}, and passes everything on untouched.
 * Stateless and {@link ChannelHandler.Sharable}: one instance serves every connection of a gate.
 */
@ChannelHandler.Sharable
final class FrameMeter extends ChannelDuplexHandler {

    private final GateMetrics metrics;

    FrameMeter(GateMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            metrics.frameIn(frame.command());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Frame frame) {
            metrics.frameOut(frame.command(), frame.body());
        }
        ctx.write(msg, promise);
    }
}
