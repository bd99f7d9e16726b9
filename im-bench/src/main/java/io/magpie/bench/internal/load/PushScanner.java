package io.magpie.bench.internal.load;

/**
 * Reads only what a lean receiver needs from a PUSH body (PROTOCOL.md §7.3, {@code Push{repeated Message
 * messages = 1}}) straight from the protobuf bytes, without building any message object: per message the
 * {@code conversation_id} (2) and {@code seq} (4) for the PUSH_ACK, the {@code client_msg_id} (7) that carries
 * the bench key, and {@code content.text} (8.2) that carries the send stamp. Every other field is skipped by
 * its wire type. Stateless; thread-safe.
 */
public final class PushScanner {

    /** What one message of a PUSH offers; offsets index the body array passed to {@link #scan}. */
    public interface Visitor {
        /**
         * @param convOff  start of {@code conversation_id} in {@code body} ({@code convLen} 0 when absent)
         * @param idOff    start of {@code client_msg_id} ({@code idLen} 0 when absent)
         * @param textOff  start of {@code content.text} ({@code textLen} 0 when absent)
         */
        void message(byte[] body, int convOff, int convLen, long seq, int idOff, int idLen, int textOff, int textLen);
    }

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LEN = 2;
    private static final int FIXED32 = 5;

    private PushScanner() {
    }

    /**
     * Visits every message of the Push in {@code body}.
     *
     * @return how many messages it held
     * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message
     */
    public static int scan(byte[] body, Visitor visitor) {
        Cursor c = new Cursor(body, 0, body.length);
        int n = 0;
        while (c.more()) {
            int tag = (int) c.varint();
            if (tag >>> 3 == 1 && (tag & 7) == LEN) {
                int len = c.length();
                message(body, c.pos, c.pos + len, visitor);
                c.pos += len;
                n++;
            } else {
                c.skip(tag);
            }
        }
        return n;
    }

    private static void message(byte[] body, int from, int to, Visitor visitor) {
        Cursor c = new Cursor(body, from, to);
        int convOff = 0;
        int convLen = 0;
        long seq = 0;
        int idOff = 0;
        int idLen = 0;
        int textOff = 0;
        int textLen = 0;
        while (c.more()) {
            int tag = (int) c.varint();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 2 && wire == LEN) {
                convLen = c.length();
                convOff = c.pos;
                c.pos += convLen;
            } else if (field == 4 && wire == VARINT) {
                seq = c.varint();
            } else if (field == 7 && wire == LEN) {
                idLen = c.length();
                idOff = c.pos;
                c.pos += idLen;
            } else if (field == 8 && wire == LEN) {
                int len = c.length();
                Cursor content = new Cursor(body, c.pos, c.pos + len);
                while (content.more()) {
                    int t = (int) content.varint();
                    if (t >>> 3 == 2 && (t & 7) == LEN) {
                        textLen = content.length();
                        textOff = content.pos;
                        content.pos += textLen;
                    } else {
                        content.skip(t);
                    }
                }
                c.pos += len;
            } else {
                c.skip(tag);
            }
        }
        visitor.message(body, convOff, convLen, seq, idOff, idLen, textOff, textLen);
    }

    /** A read position within [pos, end) of a byte array. */
    private static final class Cursor {
        private final byte[] b;
        private final int end;
        int pos;

        Cursor(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated varint at byte " + pos);
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at byte " + pos);
        }

        int length() {
            long len = varint();
            if (len < 0 || len > end - pos) {
                throw new IllegalArgumentException("length " + len + " at byte " + pos + " runs past the end (" + end + ")");
            }
            return (int) len;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case VARINT -> varint();
                case FIXED64 -> advance(8);
                case LEN -> {
                    int n = length(); // first: length() moves pos past the length itself
                    pos += n;
                }
                case FIXED32 -> advance(4);
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7) + " (field "
                        + (tag >>> 3) + ") at byte " + pos);
            }
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw new IllegalArgumentException("field of " + n + " bytes at byte " + pos + " runs past the end");
            }
            pos += n;
        }
    }
}
