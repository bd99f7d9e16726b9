package io.magpie.router.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's end of the internal-link handshake (docs/PROTOCOL.md, "Internal link"): sends
 * LINK_HELLO on connect, checks that LINK_CHALLENGE comes from the gate it meant to reach and carries
 * that gate's proof on the cluster secret, answers LINK_PROOF and completes {@link #ready()} with the
 * gate's frame limit on LINK_READY. Until then no other frame passes in either direction (the
 * connection is handed out only when ready); a wrong gate, a wrong proof, anything else first, or no
 * LINK_READY within the deadline closes the connection and fails {@link #ready()}. Afterwards it sends
 * a keepalive PING when the link was write-idle (the gate closes silent links) and drops the PONGs.
 *
 * <p>One instance per channel; runs on the channel's event loop.
 */
final class GateLinkHandshake extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(GateLinkHandshake.class);

    private final String gateId;
    private final String routerId;
    private final LinkProofs proofs;
    private final Duration timeout;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private byte[] routerNonce;
    private boolean challenged;
    private int gateMaxFrameBytes;
    private ScheduledFuture<?> deadline;

    GateLinkHandshake(String gateId, String routerId, LinkProofs proofs, Duration timeout) {
        this.gateId = gateId;
        this.routerId = routerId;
        this.proofs = proofs;
        this.timeout = timeout;
    }

    /** Completes with the gate's largest accepted frame body once the gate is authenticated. */
    CompletableFuture<Integer> ready() {
        return ready;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        routerNonce = proofs.newNonce();
        deadline = ctx.executor().schedule(() -> fail(ctx, "no LINK_READY within " + timeout.toMillis() + " ms"),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(Frames.of(Command.LINK_HELLO, 1, LinkHello.newBuilder()
                .setRouterNonce(ByteString.copyFrom(routerNonce))
                .setRouterId(routerId)
                .build()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the gate closed the connection during the handshake (wrong cluster.secret on one side?)");
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (ready.isDone()) {
            if (!frame.is(Command.PONG)) {
                ctx.fireChannelRead(frame);
            }
            return;
        }
        if (frame.is(Command.LINK_CHALLENGE)) {
            onChallenge(ctx, frame);
        } else if (frame.is(Command.LINK_READY) && challenged) {
            cancelDeadline();
            LogIdentity.gate(log.atInfo(), gateId)
                    .log("[gate {}] internal link authenticated both ways ({}), frame limit {} bytes", gateId,
                    ctx.channel().id().asShortText(), gateMaxFrameBytes);
            ready.complete(gateMaxFrameBytes);
        } else {
            fail(ctx, Command.nameOf(frame.command()) + " from the gate during the handshake");
        }
    }

    private void onChallenge(ChannelHandlerContext ctx, Frame frame) {
        if (challenged) {
            fail(ctx, "a second LINK_CHALLENGE");
            return;
        }
        LinkChallenge challenge;
        try {
            challenge = LinkChallenge.parseFrom(frame.body());
        } catch (InvalidProtocolBufferException e) {
            fail(ctx, "malformed LINK_CHALLENGE: " + e.getMessage());
            return;
        }
        byte[] gateNonce = challenge.getGateNonce().toByteArray();
        String problem = LinkProofs.problemWith(gateNonce, challenge.getGateId(), "gate");
        if (problem != null) {
            fail(ctx, "LINK_CHALLENGE refused: " + problem);
            return;
        }
        if (!gateId.equals(challenge.getGateId())) {
            fail(ctx, "the port answers as gate '" + challenge.getGateId() + "', not the registered '" + gateId + "'");
            return;
        }
        if (!proofs.isGateProof(challenge.getGateProof().toByteArray(), routerNonce, gateNonce, gateId, routerId)) {
            fail(ctx, "the gate's proof is wrong: it does not hold this router's cluster.secret");
            return;
        }
        if (challenge.getMaxFrameBytes() < 1024) {
            fail(ctx, "the gate announces a frame limit of " + challenge.getMaxFrameBytes() + " bytes, below 1024");
            return;
        }
        challenged = true;
        gateMaxFrameBytes = challenge.getMaxFrameBytes();
        ctx.writeAndFlush(Frames.of(Command.LINK_PROOF, frame.requestId(), LinkProof.newBuilder()
                .setRouterProof(ByteString.copyFrom(proofs.routerProof(routerNonce, gateNonce, gateId, routerId)))
                .build()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.WRITER_IDLE && ready.isDone()) {
            ctx.writeAndFlush(new Frame(Command.PING, 0, new byte[0]));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        cancelDeadline();
        if (ready.completeExceptionally(new GateDeliveryException(gateId, "internal link handshake with "
                + ctx.channel().remoteAddress() + " failed: " + why, null))) {
            LogIdentity.gate(log.atWarn(), gateId)
                    .log("[gate {}] internal link handshake failed, closing {}: {}", gateId,
                    ctx.channel().id().asShortText(), why);
            ctx.close();
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
