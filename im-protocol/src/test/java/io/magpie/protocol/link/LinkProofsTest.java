package io.magpie.protocol.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LinkProofsTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("0123456789abcdef0123456789abcdef");
    private final LinkProofs proofs = new LinkProofs(SECRET);
    private final byte[] routerNonce = filled(1);
    private final byte[] gateNonce = filled(2);

    @Test
    void aProofMadeWithTheSameSecretVerifiesAndOneMadeWithAnotherDoesNot() {
        byte[] gate = proofs.gateProof(routerNonce, gateNonce, "g1", "r1");
        assertTrue(proofs.isGateProof(gate, routerNonce, gateNonce, "g1", "r1"));
        LinkProofs other = new LinkProofs(ClusterSecret.of("0123456789abcdef0123456789abcdeX"));
        assertFalse(other.isGateProof(gate, routerNonce, gateNonce, "g1", "r1"));
    }

    @Test
    void theGatesProofCannotBeReflectedAsTheRoutersProof() {
        byte[] gate = proofs.gateProof(routerNonce, gateNonce, "g1", "r1");
        assertFalse(proofs.isRouterProof(gate, routerNonce, gateNonce, "g1", "r1"));
    }

    @Test
    void aProofIsBoundToBothNoncesAndBothIds() {
        byte[] router = proofs.routerProof(routerNonce, gateNonce, "g1", "r1");
        assertFalse(proofs.isRouterProof(router, filled(3), gateNonce, "g1", "r1"));
        assertFalse(proofs.isRouterProof(router, routerNonce, filled(3), "g1", "r1"));
        assertFalse(proofs.isRouterProof(router, routerNonce, gateNonce, "g2", "r1"));
        assertFalse(proofs.isRouterProof(router, routerNonce, gateNonce, "g1", "r2"));
        // the length prefixes keep ("g1r", "1") apart from ("g1", "r1")
        assertFalse(proofs.isRouterProof(router, routerNonce, gateNonce, "g1r", "1"));
        assertFalse(proofs.isRouterProof(new byte[0], routerNonce, gateNonce, "g1", "r1"));
    }

    @Test
    void matchesTheDocumentedConstruction() throws Exception {
        // docs/PROTOCOL.md: HMAC-SHA256(secret, label || rn || gn || u16 len || gate id || u16 len || router id)
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("0123456789abcdef0123456789abcdef"
                .getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update("magpie-link-v1 router".getBytes(StandardCharsets.US_ASCII));
        mac.update(routerNonce);
        mac.update(gateNonce);
        mac.update(HexFormat.of().parseHex("0002"));
        mac.update("g1".getBytes(StandardCharsets.UTF_8));
        mac.update(HexFormat.of().parseHex("0002"));
        mac.update("r1".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(mac.doFinal(), proofs.routerProof(routerNonce, gateNonce, "g1", "r1"));
    }

    @Test
    void noncesAreFreshAndOfTheDocumentedLength() {
        byte[] a = proofs.newNonce();
        assertEquals(LinkProofs.NONCE_BYTES, a.length);
        assertFalse(java.util.Arrays.equals(a, proofs.newNonce()));
    }

    @Test
    void refusesShortSecretsAndNamesTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.of("short"));
        assertTrue(e.getMessage().contains("cluster.secret"), e.getMessage());
        assertFalse(ClusterSecret.random().toString().contains("="));
        assertTrue(SECRET.sameKeyAs("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
        assertFalse(SECRET.toString().contains("0123"));
    }

    @Test
    void saysWhatIsWrongWithAPeersNonceOrId() {
        assertNull(LinkProofs.problemWith(filled(1), "g1", "gate"));
        assertNotNull(LinkProofs.problemWith(new byte[5], "g1", "gate"));
        assertNotNull(LinkProofs.problemWith(filled(1), "", "gate"));
        assertNotNull(LinkProofs.problemWith(filled(1), "x".repeat(129), "gate"));
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[LinkProofs.NONCE_BYTES];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
