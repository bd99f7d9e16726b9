package io.magpie.gate.internal;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import io.magpie.protocol.proto.LinkReady;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The internal port's gatekeeper (docs/PROTOCOL.md, "Internal link"): nothing a peer sends reaches
 * {@link GatePushHandler} until it completed the mutual HMAC handshake on the cluster secret:
 * LINK_HELLO (router nonce) -> LINK_CHALLENGE (gate nonce, gate proof, frame limit) -> LINK_PROOF
 * (router proof) -> LINK_READY. Any other frame first, a wrong proof, a malformed handshake frame, a
 * broken frame header or no LINK_READY within the handshake deadline closes the connection, without an answer that would
 * help a prober. Once authenticated it answers the router's keepalive PING with PONG and passes every
 * other frame on; a handshake frame after that is a protocol violation and closes the link.
 *
 * <p>One instance per channel; runs on the channel's event loop only.
 */
public final class InternalLinkAuthHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(InternalLinkAuthHandler.class);

    private enum State { AWAIT_HELLO, AWAIT_PROOF, AUTHENTICATED, CLOSED }

    private final String gateId;
    private final LinkProofs proofs;
    private final Duration handshakeTimeout;
    private final int maxFrameBytes;
    private State state = State.AWAIT_HELLO;
    private byte[] routerNonce;
    private byte[] gateNonce;
    private String routerId;
    private ScheduledFuture<?> deadline;

    /**
     * @param proofs           HMAC of the cluster secret
     * @param handshakeTimeout from connect to a correct LINK_PROOF
     * @param maxFrameBytes    this port's frame limit, told to the router so it splits GATE_PUSH to fit
     */
    public InternalLinkAuthHandler(String gateId, LinkProofs proofs, Duration handshakeTimeout, int maxFrameBytes) {
        this.gateId = Objects.requireNonNull(gateId, "gateId");
        this.proofs = Objects.requireNonNull(proofs, "proofs");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            if (state != State.AUTHENTICATED) {
                reject(ctx, "no completed handshake within " + handshakeTimeout.toMillis()
                        + " ms (gate.internal-handshake-timeout)");
            }
        }, handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        state = State.CLOSED;
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        switch (state) {
            case AWAIT_HELLO -> onHello(ctx, frame);
            case AWAIT_PROOF -> onProof(ctx, frame);
            case AUTHENTICATED -> onAuthenticated(ctx, frame);
            case CLOSED -> ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Before LINK_READY every failure is a silent close, a broken frame header too (bad magic or version,
     * a length over the limit: the decoder's errors would otherwise be answered with ERROR frames by the
     * error stage). After it, errors go on to that stage as on any link.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.AUTHENTICATED) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        reject(ctx, "broken input before the handshake completed: " + cause.getMessage());
    }

    private void onHello(ChannelHandlerContext ctx, Frame frame) {
        if (!frame.is(Command.LINK_HELLO)) {
            reject(ctx, Command.nameOf(frame.command()) + " before the handshake");
            return;
        }
        LinkHello hello;
        try {
            hello = Frames.parse(frame, LinkHello.parser());
        } catch (ProtocolException e) {
            reject(ctx, "malformed LINK_HELLO: " + e.getMessage());
            return;
        }
        String problem = LinkProofs.problemWith(hello.getRouterNonce().toByteArray(), hello.getRouterId(), "router");
        if (problem != null) {
            reject(ctx, "LINK_HELLO refused: " + problem);
            return;
        }
        routerNonce = hello.getRouterNonce().toByteArray();
        routerId = hello.getRouterId();
        gateNonce = proofs.newNonce();
        state = State.AWAIT_PROOF;
        ctx.writeAndFlush(Frames.of(Command.LINK_CHALLENGE, frame.requestId(), LinkChallenge.newBuilder()
                .setGateNonce(ByteString.copyFrom(gateNonce))
                .setGateId(gateId)
                .setGateProof(ByteString.copyFrom(
                        proofs.gateProof(routerNonce, gateNonce, gateId, routerId)))
                .setMaxFrameBytes(maxFrameBytes)
                .build()));
    }

    private void onProof(ChannelHandlerContext ctx, Frame frame) {
        if (!frame.is(Command.LINK_PROOF)) {
            reject(ctx, Command.nameOf(frame.command()) + " before the handshake completed");
            return;
        }
        LinkProof proof;
        try {
            proof = Frames.parse(frame, LinkProof.parser());
        } catch (ProtocolException e) {
            reject(ctx, "malformed LINK_PROOF: " + e.getMessage());
            return;
        }
        if (!proofs.isRouterProof(proof.getRouterProof().toByteArray(), routerNonce, gateNonce, gateId, routerId)) {
            reject(ctx, "wrong LINK_PROOF from router '" + routerId + "' (not signed with this gate's cluster.secret)");
            return;
        }
        cancelDeadline();
        state = State.AUTHENTICATED;
        LogIdentity.gate(log.atInfo(), gateId)
                .log("[gate={}] router '{}' authenticated on the internal port from {}", gateId, routerId,
                ctx.channel().remoteAddress());
        ctx.writeAndFlush(Frames.of(Command.LINK_READY, frame.requestId(), LinkReady.getDefaultInstance()));
    }

    private void onAuthenticated(ChannelHandlerContext ctx, Frame frame) {
        if (frame.is(Command.PING)) {
            ctx.writeAndFlush(new Frame(Command.PONG, frame.requestId(), new byte[0]));
            return;
        }
        if (frame.is(Command.LINK_HELLO) || frame.is(Command.LINK_PROOF)) {
            reject(ctx, Command.nameOf(frame.command()) + " on an authenticated link");
            return;
        }
        ctx.fireChannelRead(frame);
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancelDeadline();
        // no ERROR frame: a prober learns nothing but that the port closed
        LogIdentity.gate(log.atWarn(), gateId)
                .log("[gate={}] internal port: closing {} from {}: {}", gateId, ctx.channel().id().asShortText(),
                ctx.channel().remoteAddress(), why);
        ctx.close();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Whether this link completed the handshake. */
    boolean authenticated() {
        return state == State.AUTHENTICATED;
    }

}
