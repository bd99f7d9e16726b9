package io.magpie.das;

import io.magpie.registry.StorageException;

/**
 * A message row collided with one already stored. Never retryable: the same rows collide again.
 * {@link #key()} names the unique key that was hit, so the caller can tell a resent message
 * ({@link Key#SENDER_CLIENT_MSG_ID}: look the original up by sender and client message id) from a
 * stale writer that lost its conversation ({@link Key#CONVERSATION_SEQ}: another writer already used
 * that seq; reload the seq and back off).
 */
public final class DuplicateMessageException extends StorageException {

    private static final long serialVersionUID = 1L;

    /** The unique key of table {@code message} that was violated. */
    public enum Key {
        /** {@code PRIMARY KEY (msg_id)}: the same global message id twice. */
        MSG_ID,
        /** {@code UNIQUE (conversation_id, seq)}: the seq is already taken in that conversation. */
        CONVERSATION_SEQ,
        /** {@code UNIQUE (sender_uid, client_msg_id)}: the sender already sent this client message id. */
        SENDER_CLIENT_MSG_ID
    }

    private final Key key;

    public DuplicateMessageException(Key key, String message, Throwable cause) {
        super(message, cause, false);
        this.key = key;
    }

    /** The unique key that was violated. */
    public Key key() {
        return key;
    }
}
