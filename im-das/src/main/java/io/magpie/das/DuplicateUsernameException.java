package io.magpie.das;

import io.magpie.registry.StorageException;

/**
 * An account with this user name exists already (user names compare case-insensitively).
 * Not retryable: the caller should report the conflict to the user.
 */
public final class DuplicateUsernameException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final String username;

    public DuplicateUsernameException(String username, Throwable cause) {
        super("user name '" + username + "' is already taken", cause, false);
        this.username = username;
    }

    /** The user name that was requested. */
    public String username() {
        return username;
    }
}
