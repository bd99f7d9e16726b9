package io.magpie.client;

import io.magpie.protocol.proto.PresenceState;

/**
 * Told of presence changes of the users this client watches (its user's friends and its explicit watch list,
 * docs/PROTOCOL.md §9.14). Called on the client's event loop: do not block.
 */
@FunctionalInterface
public interface PresenceListener {

    /** {@code state.getUid()} changed presence: online or not, platforms, device count, status text. */
    void onPresenceChanged(PresenceState state);
}
