package io.magpie.client.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which (conversation, seq) pairs were delivered to the app so a PUSH the gate resends (its
 * ack was lost, or the connection dropped before it arrived) is not delivered twice.
 *
 * <p>Per conversation it keeps the highest delivered seq plus a 64-seq window below it (the
 * anti-replay window of IPsec/DTLS): a seq above the highest is new; one inside the window is new unless
 * its bit is set, so a late resend of an older seq that was missed is still delivered once; one below the
 * window is taken as already delivered. Conversations are kept in LRU order, at most
 * {@code maxConversations}; a forgotten conversation starts fresh (a very old resend of it could then be
 * delivered again).
 *
 * <p>This deduplicates only. Detecting a gap (seq jumps from 5 to 8) and PULLing the missing range, and
 * SYNC after a reconnect, are a later issue (ARCHITECTURE §2 step 9); until then a message whose PUSH
 * never arrives is only seen after a later pull.
 *
 * <p>Thread-safe (synchronized); a client's connections may run on different event loops over time.
 */
public final class DeliveryDeduplicator {

    static final int WINDOW = 64;

    private final Map<String, Window> conversations;

    public DeliveryDeduplicator(int maxConversations) {
        if (maxConversations < 1) {
            throw new IllegalArgumentException("maxConversations must be >= 1, got " + maxConversations);
        }
        this.conversations = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > maxConversations;
            }
        };
    }

    /**
     * True the first time {@code seq} of {@code conversationId} is seen, and records it. A seq of 0 or
     * less (no seq assigned) is always delivered.
     */
    public synchronized boolean firstDelivery(String conversationId, long seq) {
        if (seq <= 0) {
            return true;
        }
        Window w = conversations.get(conversationId);
        if (w == null) {
            conversations.put(conversationId, new Window(seq));
            return true;
        }
        return w.mark(seq);
    }

    /** The highest seq delivered for a conversation, 0 if none is remembered. */
    public synchronized long highestDelivered(String conversationId) {
        Window w = conversations.get(conversationId);
        return w == null ? 0 : w.highest;
    }

    private static final class Window {
        private long highest;
        /** Bit i set = seq (highest - i) was delivered. */
        private long bits;

        Window(long seq) {
            highest = seq;
            bits = 1L;
        }

        boolean mark(long seq) {
            if (seq > highest) {
                long shift = seq - highest;
                bits = shift >= WINDOW ? 1L : (bits << shift) | 1L;
                highest = seq;
                return true;
            }
            long back = highest - seq;
            if (back >= WINDOW) {
                return false;
            }
            long bit = 1L << back;
            if ((bits & bit) != 0) {
                return false;
            }
            bits |= bit;
            return true;
        }
    }
}
