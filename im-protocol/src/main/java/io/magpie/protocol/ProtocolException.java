package io.magpie.protocol;

/**
 * A peer broke the protocol. Carries the {@link ErrorCode} to send back, whether the connection
 * can go on ({@code fatal} = the byte stream cannot be trusted any more, close it) and, when the
 * violation is about one request, that request's id and command so the ERROR frame answers it
 * (both 0 when unknown, e.g. for errors raised while decoding). Immutable.
 */
public class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final boolean fatal;
    private final int requestId;
    private final int command;

    public ProtocolException(ErrorCode code, String message, boolean fatal) {
        this(code, message, fatal, null);
    }

    public ProtocolException(ErrorCode code, String message, boolean fatal, Throwable cause) {
        this(code, message, fatal, cause, 0, 0);
    }

    /**
     * @param requestId the request id of the frame that failed, echoed in the ERROR frame
     * @param command   the command code of the frame that failed, carried in {@code Error.command}
     */
    public ProtocolException(ErrorCode code, String message, boolean fatal, Throwable cause,
            int requestId, int command) {
        super(message, cause);
        this.code = code;
        this.fatal = fatal;
        this.requestId = requestId;
        this.command = command;
    }

    /**
     * The same violation, attributed to {@code frame}: a handler that catches a ProtocolException
     * raised without frame context (e.g. by {@link ConversationIds#of}) rethrows this so the client
     * can tell which request failed.
     */
    public ProtocolException answering(Frame frame) {
        return new ProtocolException(code, getMessage(), fatal, this, frame.requestId(), frame.command());
    }

    public ErrorCode code() {
        return code;
    }

    public boolean fatal() {
        return fatal;
    }

    /** The failed request's id, 0 when the violation is not about one request. */
    public int requestId() {
        return requestId;
    }

    /** The failed request's command code, 0 when unknown. */
    public int command() {
        return command;
    }
}
