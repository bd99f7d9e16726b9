package io.magpie.client;

/** Who may send the user one-to-one messages (docs/PROTOCOL.md §9.13). */
public enum DmPolicy {
    /** Anyone the user did not block (the default). */
    ANYONE,
    /** Only the user's friends; others' SENDs fail with {@code NOT_FRIEND}. */
    FRIENDS
}
