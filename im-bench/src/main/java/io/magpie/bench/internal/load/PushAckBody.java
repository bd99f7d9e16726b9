package io.magpie.bench.internal.load;

import java.util.Arrays;

/**
 * Builds a PUSH_ACK body (PROTOCOL.md §7.3, {@code PushAck{repeated MessageRef acked = 1}},
 * {@code MessageRef{string conversation_id = 1; int64 seq = 2}}) from raw conversation id bytes, in exactly
 * the bytes protobuf's own serializer writes (fields in number order, defaults omitted), without building
 * message objects. Not thread-safe: one per connection, answering the PUSHes of one read.
 */
public final class PushAckBody {

    private byte[] buf = new byte[64];
    private int size;

    /** Adds one acknowledged message: {@code conversation_id} is {@code src[off, off+len)} (UTF-8 as pushed). */
    public PushAckBody add(byte[] src, int off, int len, long seq) {
        int ref = (len > 0 ? 1 + varintSize(len) + len : 0) + (seq != 0 ? 1 + varintSize(seq) : 0);
        ensure(1 + varintSize(ref) + ref);
        buf[size++] = 0x0A; // acked = 1, length-delimited
        varint(ref);
        if (len > 0) {
            buf[size++] = 0x0A; // conversation_id = 1, length-delimited
            varint(len);
            System.arraycopy(src, off, buf, size, len);
            size += len;
        }
        if (seq != 0) {
            buf[size++] = 0x10; // seq = 2, varint
            varint(seq);
        }
        return this;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Bytes written so far. */
    public int size() {
        return size;
    }

    /** Forgets everything added after the body had {@code mark} bytes (a PUSH that turned out unreadable). */
    public void truncate(int mark) {
        if (mark < 0 || mark > size) {
            throw new IllegalArgumentException("mark " + mark + " outside 0.." + size);
        }
        size = mark;
    }

    /** The body so far (a copy). */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
