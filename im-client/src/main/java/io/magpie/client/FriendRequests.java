package io.magpie.client;

import java.util.List;

/**
 * The pending friend requests of the user ({@code GET /v1/friends/requests}), newest first. Immutable.
 *
 * @param incoming sent to the user: answer with {@link Friends#accept} or {@link Friends#reject}
 * @param outgoing sent by the user: withdraw with {@link Friends#cancel}
 */
public record FriendRequests(List<FriendRequestInfo> incoming, List<FriendRequestInfo> outgoing) {

    public FriendRequests {
        incoming = List.copyOf(incoming);
        outgoing = List.copyOf(outgoing);
    }
}
