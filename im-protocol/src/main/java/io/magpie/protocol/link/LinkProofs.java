package io.magpie.protocol.link;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of the internal-link handshake (docs/PROTOCOL.md, "Internal link"), without any
 * I/O so both ends and the tests share it. A proof is
 * {@code HMAC-SHA256(secret, label || router_nonce || gate_nonce || u16 len || gate_id || u16 len || router_id)}
 * with the label {@code "magpie-link-v1 gate"} or {@code "magpie-link-v1 router"}: each side signs
 * both fresh nonces, so a recorded handshake cannot be replayed, and the labels differ, so one side's
 * proof cannot be reflected back as the other's. Proofs are compared in constant time. Thread-safe.
 */
public final class LinkProofs {

    /** Bytes of each side's nonce. */
    public static final int NONCE_BYTES = 32;
    /** Longest gate or router id in a proof, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 128;

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] GATE_LABEL = "magpie-link-v1 gate".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROUTER_LABEL = "magpie-link-v1 router".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public LinkProofs(ClusterSecret secret) {
        this.key = new SecretKeySpec(secret.key(), ALGORITHM);
    }

    /** {@value #NONCE_BYTES} bytes from a SecureRandom. */
    public byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    /** What the gate sends in LINK_CHALLENGE. */
    public byte[] gateProof(byte[] routerNonce, byte[] gateNonce, String gateId, String routerId) {
        return mac(GATE_LABEL, routerNonce, gateNonce, gateId, routerId);
    }

    /** What the router sends in LINK_PROOF. */
    public byte[] routerProof(byte[] routerNonce, byte[] gateNonce, String gateId, String routerId) {
        return mac(ROUTER_LABEL, routerNonce, gateNonce, gateId, routerId);
    }

    /** Whether {@code proof} is the gate's proof for these values; constant time. */
    public boolean isGateProof(byte[] proof, byte[] routerNonce, byte[] gateNonce, String gateId, String routerId) {
        return MessageDigest.isEqual(gateProof(routerNonce, gateNonce, gateId, routerId), proof);
    }

    /** Whether {@code proof} is the router's proof for these values; constant time. */
    public boolean isRouterProof(byte[] proof, byte[] routerNonce, byte[] gateNonce, String gateId,
            String routerId) {
        return MessageDigest.isEqual(routerProof(routerNonce, gateNonce, gateId, routerId), proof);
    }

    /** Why a nonce or id received from the peer is unusable, or null when it is fine. */
    public static String problemWith(byte[] nonce, String id, String what) {
        if (nonce == null || nonce.length != NONCE_BYTES) {
            return what + " nonce is " + (nonce == null ? 0 : nonce.length) + " bytes, expected " + NONCE_BYTES;
        }
        int idBytes = id == null ? 0 : id.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes < 1 || idBytes > MAX_ID_BYTES) {
            return what + " id is " + idBytes + " bytes, expected 1.." + MAX_ID_BYTES;
        }
        return null;
    }

    private byte[] mac(byte[] label, byte[] routerNonce, byte[] gateNonce, String gateId, String routerId) {
        byte[] gate = gateId.getBytes(StandardCharsets.UTF_8);
        byte[] router = routerId.getBytes(StandardCharsets.UTF_8);
        if (routerNonce.length != NONCE_BYTES || gateNonce.length != NONCE_BYTES || gate.length > MAX_ID_BYTES
                || router.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("link proof inputs out of range: nonces " + routerNonce.length + "/"
                    + gateNonce.length + " bytes (need " + NONCE_BYTES + "), ids " + gate.length + "/"
                    + router.length + " bytes (at most " + MAX_ID_BYTES + ")");
        }
        ByteBuffer transcript = ByteBuffer.allocate(label.length + 2 * NONCE_BYTES + 4 + gate.length + router.length)
                .put(label).put(routerNonce).put(gateNonce)
                .putShort((short) gate.length).put(gate)
                .putShort((short) router.length).put(router);
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(transcript.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
