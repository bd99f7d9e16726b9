package io.magpie.bench.internal.load;

/**
 * The client message id of a bench message carries its tracking key, so a recipient can find the
 * message's origin time without any payload parsing: {@code "b" + key in base 36}. Stateless.
 */
public final class MessageKeys {

    private static final String PREFIX = "b";

    private MessageKeys() {
    }

    public static String clientMsgId(long key) {
        return PREFIX + Long.toString(key, 36);
    }

    /** The key in {@code clientMsgId}, or -1 when it is not a bench id. */
    public static long parse(String clientMsgId) {
        if (clientMsgId == null || !clientMsgId.startsWith(PREFIX) || clientMsgId.length() < 2
                || clientMsgId.length() > 14) {
            return -1;
        }
        try {
            long key = Long.parseLong(clientMsgId.substring(PREFIX.length()), 36);
            return key < 0 ? -1 : key;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The key in the ASCII bytes {@code id[off, off+len)} of a client message id, or -1 when it is not a bench
     * id: the same rule as {@link #parse(String)}, without making a String (lean receivers).
     */
    public static long parse(byte[] id, int off, int len) {
        if (len < 2 || len > 14 || id[off] != 'b') {
            return -1;
        }
        long key = 0;
        for (int i = off + 1; i < off + len; i++) {
            int d = Character.digit(id[i], 36);
            if (d < 0) {
                return -1;
            }
            if (key > (Long.MAX_VALUE - d) / 36) {
                return -1;
            }
            key = key * 36 + d;
        }
        return key;
    }

    /** A key unique per (sender, n): sender in the high 24 bits, n in the low 39. */
    public static long key(int sender, long n) {
        if (sender < 0 || sender >= (1 << 24) || n < 0 || n >= (1L << 39)) {
            throw new IllegalArgumentException("sender " + sender + " / message " + n + " out of range");
        }
        return ((long) sender << 39) | n;
    }
}
