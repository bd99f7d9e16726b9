package io.magpie.client;

import java.util.List;

/**
 * One page of the requests to join a group awaiting approval ({@code GET /v1/groups/{id}/join-requests},
 * admins and the owner only; docs/PROTOCOL.md §9.16), ascending by uid. Immutable.
 *
 * @param requests     the page
 * @param nextAfterUid pass to {@link Groups#joinRequests} for the next page; 0 = this was the last
 */
public record GroupJoinRequestsPage(List<Request> requests, long nextAfterUid) {

    /** A request: who asks, their words, and when (ms since the epoch). */
    public record Request(long uid, String message, long createdAt) {
    }

    public GroupJoinRequestsPage {
        requests = List.copyOf(requests);
    }

    public boolean last() {
        return nextAfterUid == 0;
    }
}
