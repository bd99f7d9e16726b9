package io.magpie.hooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs hook requests so an endpoint can tell they come from this deployment and are fresh (docs/operations.md,
 * "Webhooks"): {@code X-Magpie-Signature: v1=<hex>}, where hex is the lowercase HMAC-SHA256, keyed with the
 * shared secret's UTF-8 bytes, of the ASCII string {@code <X-Magpie-Timestamp value>.} followed by the raw
 * body bytes. Signing the timestamp with the body stops a recorded request from being replayed later; receivers
 * should refuse timestamps older than a few minutes. Stateless and thread-safe.
 */
public final class HookSigner {

    /** Milliseconds since the epoch when the request was signed. */
    public static final String TIMESTAMP_HEADER = "X-Magpie-Timestamp";
    /** {@code v1=} and the hex HMAC. */
    public static final String SIGNATURE_HEADER = "X-Magpie-Signature";
    /** The payload's event name, also in the body. */
    public static final String EVENT_HEADER = "X-Magpie-Event";

    private final byte[] key;

    public HookSigner(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a hook secret is required to sign requests");
        }
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@value #SIGNATURE_HEADER} value of {@code body} sent with timestamp {@code timestampMillis}. */
    public String sign(long timestampMillis, byte[] body) {
        Mac mac = mac();
        mac.update((timestampMillis + ".").getBytes(StandardCharsets.US_ASCII));
        mac.update(body);
        return "v1=" + HexFormat.of().formatHex(mac.doFinal());
    }

    /** Whether {@code signature} is this secret's signature of {@code body} at {@code timestamp} (constant time). */
    public boolean verify(String timestamp, byte[] body, String signature) {
        if (timestamp == null || signature == null) {
            return false;
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        return MessageDigest.isEqual(sign(ts, body).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime; this one lacks it", e);
        }
    }
}
