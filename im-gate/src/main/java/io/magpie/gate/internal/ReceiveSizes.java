package io.magpie.gate.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.Arrays;

/**
 * How much a client connection reads per socket read: Netty's adaptive prediction (as
 * {@code AdaptiveRecvByteBufAllocator}: start at 2 KiB, grow four steps at once when a read fills its buffer or a
 * wake-up reads as much as predicted, shrink one step after two wake-ups that read well below it, between 64 bytes
 * and 64 KiB), up to {@code maxReadsPerWakeup} reads while more data may be there and auto-read is on. Its own
 * because every connection keeps a handle for its lifetime: Netty's is 96 bytes (a supplier object of its own
 * included, which the epoll transport never calls), this one 40, on every idle connection's heap
 * (docs/benchmarks.md). One allocator per gate; each handle is confined to its channel's event loop.
 */
public final class ReceiveSizes implements MaxMessagesRecvByteBufAllocator {

    /** The buffer sizes a prediction steps through: 16-byte steps to 496, then doubling. */
    private static final int[] SIZES = sizes();
    private static final int MIN_INDEX = index(64);
    private static final int MAX_INDEX = index(65536);
    private static final int INITIAL_INDEX = index(2048);
    private static final int GROW_STEPS = 4;
    private static final int SHRINK_STEPS = 1;

    private final int maxReadsPerWakeup;

    /** @param maxReadsPerWakeup socket reads per wake-up at most, &gt;= 1 */
    public ReceiveSizes(int maxReadsPerWakeup) {
        if (maxReadsPerWakeup < 1) {
            throw new IllegalArgumentException("maxReadsPerWakeup must be >= 1, got " + maxReadsPerWakeup);
        }
        this.maxReadsPerWakeup = maxReadsPerWakeup;
    }

    @Override
    public Handle newHandle() {
        return new Prediction();
    }

    /** Socket reads per wake-up at most (what a channel's {@code getMaxMessagesPerRead} reports). */
    @Override
    public int maxMessagesPerRead() {
        return maxReadsPerWakeup;
    }

    /** Refused: one allocator serves every connection of the gate, and a channel's setting would change them all. */
    @Override
    public MaxMessagesRecvByteBufAllocator maxMessagesPerRead(int maxMessagesPerRead) {
        throw new UnsupportedOperationException("the reads per wake-up of a gate's client connections are fixed at "
                + maxReadsPerWakeup + " for all of them; a connection cannot change them");
    }

    private static int[] sizes() {
        int[] sizes = new int[31 + 22];
        int n = 0;
        for (int size = 16; size < 512; size += 16) {
            sizes[n++] = size;
        }
        for (int size = 512; size > 0; size <<= 1) {
            sizes[n++] = size;
        }
        return Arrays.copyOf(sizes, n);
    }

    /** The index of the smallest size >= {@code size}. */
    static int index(int size) {
        int at = Arrays.binarySearch(SIZES, size);
        return at >= 0 ? at : Math.min(-at - 1, SIZES.length - 1);
    }

    /** The size the prediction at {@code index} reads. */
    static int size(int index) {
        return SIZES[index];
    }

    /** One connection's prediction and the counts of its current wake-up. */
    final class Prediction implements ExtendedHandle {
        private ChannelConfig config;
        private int reads;
        private int bytesRead;
        private int attemptedBytes;
        private int lastBytes;
        private byte index = (byte) INITIAL_INDEX;
        private boolean shrinkNext;

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            reads = 0;
            bytesRead = 0;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return SIZES[index];
        }

        @Override
        public void incMessagesRead(int numMessages) {
            reads += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes == attemptedBytes) {
                record(bytes); // the buffer filled: more is likely waiting, grow before the next read
            }
            lastBytes = bytes;
            if (bytes > 0) {
                bytesRead += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return lastBytes;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attemptedBytes = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attemptedBytes;
        }

        @Override
        public boolean continueReading() {
            return config.isAutoRead() && lastBytes > 0 && attemptedBytes == lastBytes && reads < maxReadsPerWakeup;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            return config.isAutoRead() && maybeMoreData.get() && reads < maxReadsPerWakeup;
        }

        @Override
        public void readComplete() {
            record(bytesRead < 0 ? Integer.MAX_VALUE : bytesRead);
        }

        private void record(int actual) {
            if (actual <= SIZES[Math.max(0, index - SHRINK_STEPS)]) {
                if (shrinkNext) {
                    index = (byte) Math.max(index - SHRINK_STEPS, MIN_INDEX);
                    shrinkNext = false;
                } else {
                    shrinkNext = true;
                }
            } else if (actual >= SIZES[index]) {
                index = (byte) Math.min(index + GROW_STEPS, MAX_INDEX);
                shrinkNext = false;
            }
        }
    }
}
