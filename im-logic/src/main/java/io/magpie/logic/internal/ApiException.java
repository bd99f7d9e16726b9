package io.magpie.logic.internal;

/**
 * A request the account API refuses, with the HTTP status and the JSON {@code {code, message}} the
 * client gets. Expected outcomes only (bad input, conflicts, bad credentials); faults are other
 * exceptions and become a 500.
 */
public final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BAD_REQUEST", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
