package io.magpie.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.magpie.protocol.proto.Error;

/** Builds and parses frames whose bodies are protobuf messages. Stateless. */
public final class Frames {

    private Frames() {
    }

    public static Frame of(Command command, int requestId, MessageLite body) {
        return new Frame(command, requestId, body.toByteArray());
    }

    /**
     * An ERROR frame answering {@code requestId}; {@code about} may be null when unknown, and a
     * null {@code message} is replaced by the code's name.
     */
    public static Frame error(int requestId, Command about, ErrorCode code, String message) {
        return error(requestId, about == null ? 0 : about.code(), code, message);
    }

    public static Frame error(int requestId, int aboutCommand, ErrorCode code, String message) {
        return error(requestId, aboutCommand, code, message, 0);
    }

    /**
     * An ERROR frame that also tells the client not to resend before {@code retryAfterMillis}
     * ({@code Error.retry_after_ms}; 0 = no advice, values above {@code Integer.MAX_VALUE} are capped).
     */
    public static Frame error(int requestId, int aboutCommand, ErrorCode code, String message, long retryAfterMillis) {
        Error body = Error.newBuilder()
                .setCode(code.code())
                .setMessage(message == null ? code.name() : message)
                .setCommand(aboutCommand)
                .setRetryable(code.retryable())
                .setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, Math.max(0, retryAfterMillis)))
                .build();
        return of(Command.ERROR, requestId, body);
    }

    /**
     * Parses the body of {@code frame}.
     *
     * @throws ProtocolException with {@link ErrorCode#BAD_REQUEST}, non-fatal and carrying the
     *         frame's request id and command, when the body is not a valid message
     */
    public static <T> T parse(Frame frame, Parser<T> parser) {
        try {
            return parser.parseFrom(frame.body());
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "body of " + Command.nameOf(frame.command()) + " (" + frame.body().length
                            + " bytes) is not a valid protobuf message: " + e.getMessage(), false, e,
                    frame.requestId(), frame.command());
        }
    }
}
