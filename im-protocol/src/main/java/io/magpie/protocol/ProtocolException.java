package io.magpie.protocol;

/**
 * A peer broke the protocol. Carries the {@link ErrorCode} to send back and whether the connection
 * can go on ({@code fatal} = the byte stream cannot be trusted any more, close it).
 */
public class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final boolean fatal;

    public ProtocolException(ErrorCode code, String message, boolean fatal) {
        this(code, message, fatal, null);
    }

    public ProtocolException(ErrorCode code, String message, boolean fatal, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.fatal = fatal;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean fatal() {
        return fatal;
    }
}
