package io.magpie.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import java.io.IOException;
import java.time.Duration;

/**
 * Test-side router end of the internal-link handshake on a {@link RawTcpClient}, done by hand from
 * docs/PROTOCOL.md so the tests check the wire, not just that both ends share code.
 */
final class RouterLinks {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RouterLinks() {
    }

    /** A raw connection to {@code gate}'s internal port that completed the handshake with the gate's secret. */
    static RawTcpClient open(GateServer gate) throws IOException {
        RawTcpClient link = new RawTcpClient(gate.internalPort());
        Frame ready = handshake(link, gate.config().clusterSecret(), gate.gateId());
        assertEquals(Command.LINK_READY.code(), ready.command(), () -> "expected LINK_READY, got " + ready);
        return link;
    }

    /**
     * Sends LINK_HELLO and, if the gate's proof checks out with {@code secret}, LINK_PROOF made with
     * {@code secret}; returns the gate's answer to the proof (LINK_READY when the secret was right).
     */
    static Frame handshake(RawTcpClient link, ClusterSecret secret, String gateId) throws IOException {
        LinkProofs proofs = new LinkProofs(secret);
        byte[] routerNonce = proofs.newNonce();
        link.send(Frames.of(Command.LINK_HELLO, 1, LinkHello.newBuilder()
                .setRouterNonce(ByteString.copyFrom(routerNonce)).setRouterId("test-router").build()));
        Frame answer = link.read(WAIT);
        assertEquals(Command.LINK_CHALLENGE.code(), answer.command(), () -> "expected LINK_CHALLENGE, got " + answer);
        LinkChallenge challenge = LinkChallenge.parseFrom(answer.body());
        assertEquals(gateId, challenge.getGateId());
        assertTrue(challenge.getMaxFrameBytes() >= 1024, "the gate announces its frame limit");
        byte[] gateNonce = challenge.getGateNonce().toByteArray();
        link.send(Frames.of(Command.LINK_PROOF, 2, LinkProof.newBuilder().setRouterProof(ByteString.copyFrom(
                proofs.routerProof(routerNonce, gateNonce, gateId, "test-router"))).build()));
        return link.read(WAIT);
    }
}
