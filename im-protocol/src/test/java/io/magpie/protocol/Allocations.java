package io.magpie.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

/**
 * Heap allocated by the current thread, for fuzz targets that assert a parser never allocates what an
 * input merely claims (a length field, a count) before the bytes are there: what one parse allocates
 * must stay proportional to the bytes it was given.
 */
public final class Allocations {

    /**
     * Fixed overhead a parse may spend whatever its input (pipelines, builders, exception messages, and
     * the instrumentation of a class the fuzzer reaches for the first time).
     */
    private static final long BASE_BYTES = 16L << 20;
    /** Per input byte: copies into frames, protobuf strings and the like. */
    private static final long BYTES_PER_INPUT_BYTE = 64;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    /** Bytes allocated by this thread so far. */
    public static long now() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code parse} and fails when it allocated more than {@code inputBytes} can justify. A run
     * over the bound is repeated once before failing: the first run of a new path loads (and the
     * fuzzer instruments) classes, which is not the parser's doing; a claim-sized allocation recurs.
     */
    public static void assertBounded(Runnable parse, long inputBytes, String what) {
        long before = now();
        parse.run();
        if (now() - before > limit(inputBytes)) {
            before = now();
            parse.run();
            assertBounded(before, inputBytes, what);
        }
    }

    private static long limit(long inputBytes) {
        return BASE_BYTES + BYTES_PER_INPUT_BYTE * inputBytes;
    }

    /** Fails when the thread allocated more since {@code before} than {@code inputBytes} can justify. */
    public static void assertBounded(long before, long inputBytes, String what) {
        long spent = now() - before;
        long limit = limit(inputBytes);
        assertTrue(spent <= limit, what + " allocated " + spent + " bytes, more than " + limit
                + " for " + inputBytes + " input bytes: something was sized from a claim, not from the data");
    }
}
