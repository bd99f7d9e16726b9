package io.magpie.hooks;

/** What a SEND gets when its before-send hook does not answer usably (timeout, refused connection, non-2xx, bad JSON). */
public enum FailureMode {
    /** Fail open: the messages are stored as if the hook had allowed them (a warning is logged). */
    OPEN,
    /** Fail closed: the messages are refused with ERROR {@code SERVER_BUSY} (retryable); nothing is stored. */
    CLOSED
}
