package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.Error;
import io.netty.channel.embedded.EmbeddedChannel;

/** Reading frames back from an EmbeddedChannel in tests. */
final class TestFrames {

    private TestFrames() {
    }

    static Frame next(EmbeddedChannel channel) {
        Object out = channel.readOutbound();
        return assertInstanceOf(Frame.class, out, "expected a frame written to the channel");
    }

    /** Asserts the next outbound frame is ERROR with {@code code} answering {@code requestId}; returns it. */
    static Error nextError(EmbeddedChannel channel, ErrorCode code, int requestId) {
        Frame frame = next(channel);
        assertEquals(Command.ERROR.code(), frame.command(), "expected ERROR, got " + frame);
        assertEquals(requestId, frame.requestId(), "ERROR must answer the request id");
        try {
            Error error = Error.parseFrom(frame.body());
            assertEquals(code.code(), error.getCode(), "error code, message: " + error.getMessage());
            assertEquals(code.retryable(), error.getRetryable());
            return error;
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("ERROR body unreadable", e);
        }
    }
}
