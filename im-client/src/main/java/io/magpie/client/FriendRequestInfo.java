package io.magpie.client;

/**
 * A friend request as the account API and {@code NOTICE_FRIEND_*} describe it (docs/PROTOCOL.md §9.13). Immutable.
 *
 * @param requestId the request's id (answer it with {@link Friends#accept} / {@link Friends#reject})
 * @param fromUid   who asked
 * @param toUid     who is asked
 * @param message   the requester's message, at most 200 code points, may be empty
 * @param state     {@code PENDING}, {@code ACCEPTED}, {@code REJECTED} or {@code CANCELLED}
 * @param createdAt ms since the epoch
 * @param updatedAt ms since the epoch: the last change of state or message
 */
public record FriendRequestInfo(long requestId, long fromUid, long toUid, String message, String state,
        long createdAt, long updatedAt) {

    public boolean pending() {
        return "PENDING".equals(state);
    }

    public boolean accepted() {
        return "ACCEPTED".equals(state);
    }
}
