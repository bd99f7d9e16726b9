package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.Error;
import java.lang.management.ManagementFactory;
import org.slf4j.LoggerFactory;

/**
 * What every gate fuzz target asserts beyond "no unexpected exception" (docs/guarantees.md,
 * "Fuzzing"): the memory one input costs stays proportional to its size, and an ERROR answer is a
 * well-formed refusal of the request it answers, never INTERNAL (bad input is the client's fault).
 */
final class FuzzContracts {

    /** Fixed overhead per input: pipelines, builders, messages, a class instrumented on first use. */
    private static final long BASE_BYTES = 16L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // Every refused input logs a line; at fuzzing rates that is most of the run. Outcomes are asserted.
        ((Logger) LoggerFactory.getLogger("io.magpie")).setLevel(Level.ERROR);
        ((Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.ERROR);
    }

    private FuzzContracts() {
    }

    /**
     * Runs {@code check} and fails when it allocated more than {@code inputBytes} can justify. A run over
     * the bound is repeated once before failing: the first run of a new path loads (and the fuzzer
     * instruments) classes, which is not the gate's doing; a claim-sized allocation recurs.
     */
    static void assertAllocationBounded(Runnable check, long inputBytes, String what) {
        long limit = BASE_BYTES + 64L * inputBytes;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        check.run();
        if (THREADS.getCurrentThreadAllocatedBytes() - before <= limit) {
            return;
        }
        before = THREADS.getCurrentThreadAllocatedBytes();
        check.run();
        long spent = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(spent <= limit, what + " allocated " + spent + " bytes, more than " + limit + " for "
                + inputBytes + " input bytes: something was sized from a claim, not from the data");
    }

    /** {@code out} is an ERROR answering {@code requestId}, not INTERNAL; returns its code. */
    static ErrorCode assertRefusal(Object out, int requestId) {
        Frame frame = assertInstanceOf(Frame.class, out, "expected a frame");
        assertEquals(Command.ERROR.code(), frame.command(), "expected ERROR, got " + frame);
        assertEquals(requestId, frame.requestId(), "ERROR must answer the request id");
        Error error;
        try {
            error = Error.parseFrom(frame.body());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("ERROR body unreadable", e);
        }
        ErrorCode code = ErrorCode.fromCode(error.getCode()).orElseThrow(
                () -> new AssertionError("unknown error code " + error.getCode()));
        assertNotEquals(ErrorCode.INTERNAL, code, "bad input answered as a server fault: " + error.getMessage());
        assertTrue(!error.getMessage().isBlank(), "an ERROR must say what was wrong");
        return code;
    }
}
