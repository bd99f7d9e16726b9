package io.magpie.client;

/**
 * Receives the group NOTICEs of a {@link MagpieClient} ({@link Groups#addListener}): join requests to the groups
 * this user administers, and the rejection of this user's own request. Changes of a group arrive as SYSTEM
 * messages through {@link MessageListener} instead. Every method has an empty default; callbacks run on the
 * client's event loop and must return quickly.
 */
public interface GroupListener {

    /** {@code requesterUid} asks to join {@code groupId} (this user is one of its admins or its owner). */
    default void onJoinRequest(long groupId, long requesterUid, String message) {
    }

    /** Admin {@code adminUid} rejected this user's request to join {@code groupId}. */
    default void onJoinRejected(long groupId, long adminUid) {
    }
}
