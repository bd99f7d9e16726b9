package io.magpie.das;

/**
 * One stored friend request (table {@code friend_request}). Immutable.
 *
 * @param requestId the request's id (snowflake)
 * @param fromUid   who asked
 * @param toUid     who is asked
 * @param message   the requester's short message, at most {@link Friendships#MAX_MESSAGE_CODE_POINTS} code points
 * @param state     where the request stands
 * @param createdAt ms since the epoch
 * @param updatedAt ms since the epoch: the last change of state or message
 */
public record FriendRequestRecord(long requestId, long fromUid, long toUid, String message, State state,
        long createdAt, long updatedAt) {

    /** Where a request stands; {@link #code()} is the stored value. */
    public enum State {
        PENDING(0), ACCEPTED(1), REJECTED(2), CANCELLED(3);

        private final int code;

        State(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static State of(int code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("friend_request.state " + code + " is not 0-3");
        }
    }

    /** The other side of the request as seen by {@code uid}. */
    public long peerOf(long uid) {
        return uid == fromUid ? toUid : fromUid;
    }
}
