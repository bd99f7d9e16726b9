package io.magpie.idgen.internal;

/**
 * The ids {@code first..last} (inclusive) taken from {@code id_segment} in one step, handed out in
 * order. Not thread-safe: its allocator guards it.
 */
public final class Segment {

    private final long last;
    private final long size;
    private long next;

    public Segment(long first, long last) {
        if (last < first) {
            throw new IllegalArgumentException("empty segment " + first + ".." + last);
        }
        this.next = first;
        this.last = last;
        this.size = last - first + 1;
    }

    public boolean exhausted() {
        return next > last;
    }

    public long take() {
        if (exhausted()) {
            throw new IllegalStateException("segment ..." + last + " is exhausted");
        }
        return next++;
    }

    /** Ids left. */
    public long remaining() {
        return last - next + 1;
    }

    /** Ids it held when taken. */
    public long size() {
        return size;
    }
}
