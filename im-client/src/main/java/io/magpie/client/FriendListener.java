package io.magpie.client;

import io.magpie.protocol.proto.Notice;
import java.util.Set;

/**
 * Receives friend and block events of a {@link MagpieClient} ({@link Friends#addListener}). Every method has an
 * empty default. Callbacks run on the client's event loop or on the HTTP client's threads; they must return
 * quickly and never block.
 */
public interface FriendListener {

    /** Someone sent this user a friend request (or updated its message). */
    default void onFriendRequest(FriendRequestInfo request) {
    }

    /**
     * The other side answered or withdrew a request: this user's request was {@code ACCEPTED} or {@code REJECTED},
     * or a request to this user was {@code CANCELLED} (see {@link FriendRequestInfo#state()}).
     */
    default void onFriendRequestAnswered(FriendRequestInfo request) {
    }

    /** {@code uid} removed this user as a friend. */
    default void onFriendRemoved(long uid) {
    }

    /** The local friend list changed after a sync by version (a notice, a login or {@link Friends#sync()}). */
    default void onFriendsChanged(Set<Long> friends, long version) {
    }

    /** This user blocked or unblocked someone on another device: re-read {@link Friends#blocks()} if shown. */
    default void onBlocksChanged() {
    }

    /** Every friend or block NOTICE as received, including those of this user's own devices' changes. */
    default void onFriendNotice(Notice notice) {
    }
}
