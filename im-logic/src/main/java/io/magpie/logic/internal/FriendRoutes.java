package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.FriendChange;
import io.magpie.das.FriendRequestRecord;
import io.magpie.das.Friendships;
import io.magpie.das.Friendships.Outcome;
import io.magpie.protocol.auth.TokenClaims;
import java.util.List;

/**
 * The friend routes of the account API (JSON; the caller is the bearer token's uid; request ids and
 * versions are decimal strings, since they pass 2^53):
 * <ul>
 *   <li>{@code POST /v1/friends/requests {toUid, message?}} -> 201 {@code FriendRequest} (PENDING), or 200 when
 *       the caller's pending request was updated (PENDING) or the other user had asked first (ACCEPTED)</li>
 *   <li>{@code GET /v1/friends/requests} -> {@code {incoming: [FriendRequest], outgoing: [FriendRequest]}}</li>
 *   <li>{@code POST /v1/friends/requests/{requestId}/accept} -> {@code {request, friendsVersion}}</li>
 *   <li>{@code POST /v1/friends/requests/{requestId}/reject} -> {@code {request, friendsVersion}}</li>
 *   <li>{@code DELETE /v1/friends/requests/{requestId}} (cancel) -> {@code {request, friendsVersion}}</li>
 *   <li>{@code DELETE /v1/friends/{uid}} -> {@code {friendsVersion}}</li>
 *   <li>{@code GET /v1/friends?sinceVersion=&limit=} -> {@code {friends: [{uid, removed, version, since}],
 *       version, hasMore}}</li>
 * </ul>
 * Thread-safe.
 */
public final class FriendRoutes {

    /** Rows a friend-list page returns unless {@code limit} says fewer. */
    public static final int DEFAULT_PAGE = 200;

    record NewRequest(Long toUid, String message) {
    }

    record RequestView(String requestId, long fromUid, long toUid, String message, String state, long createdAt,
            long updatedAt) {
    }

    record Requests(List<RequestView> incoming, List<RequestView> outgoing) {
    }

    record Answered(RequestView request, String friendsVersion) {
    }

    record Removed(String friendsVersion) {
    }

    record FriendView(long uid, boolean removed, String version, long since) {
    }

    record FriendList(List<FriendView> friends, String version, boolean hasMore) {
    }

    private final FriendService friends;
    private final JsonBodies bodies;

    public FriendRoutes(FriendService friends, JsonBodies bodies) {
        this.friends = friends;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.post("/v1/friends/requests", this::request);
        app.get("/v1/friends/requests", this::pending);
        app.post("/v1/friends/requests/{requestId}/accept", ctx -> answer(ctx, true));
        app.post("/v1/friends/requests/{requestId}/reject", ctx -> answer(ctx, false));
        app.delete("/v1/friends/requests/{requestId}", this::cancel);
        app.delete("/v1/friends/{uid}", this::remove);
        app.get("/v1/friends", this::list);
    }

    private void request(Context ctx) throws ApiException {
        NewRequest req = bodies.read(ctx, NewRequest.class);
        TokenClaims caller = BearerAuth.caller(ctx);
        Outcome o = friends.request(caller.uid(), caller.appId(), req.toUid(), req.message());
        ctx.status(o.status() == Friendships.Status.CREATED ? 201 : 200).json(view(o.request()));
    }

    private void pending(Context ctx) {
        long caller = BearerAuth.caller(ctx).uid();
        List<FriendRequestRecord> all = friends.pending(caller);
        ctx.json(new Requests(all.stream().filter(r -> r.toUid() == caller).map(FriendRoutes::view).toList(),
                all.stream().filter(r -> r.fromUid() == caller).map(FriendRoutes::view).toList()));
    }

    private void answer(Context ctx, boolean accept) throws ApiException {
        TokenClaims caller = BearerAuth.caller(ctx);
        Outcome o = friends.answer(caller.uid(), caller.appId(), Ids.pathId(ctx, "requestId"), accept);
        ctx.json(new Answered(view(o.request()), Long.toString(o.toVersion())));
    }

    private void cancel(Context ctx) throws ApiException {
        TokenClaims caller = BearerAuth.caller(ctx);
        Outcome o = friends.cancel(caller.uid(), caller.appId(), Ids.pathId(ctx, "requestId"));
        ctx.json(new Answered(view(o.request()), "0"));
    }

    private void remove(Context ctx) throws ApiException {
        TokenClaims caller = BearerAuth.caller(ctx);
        ctx.json(new Removed(Long.toString(friends.remove(caller.uid(), caller.appId(), Ids.pathId(ctx, "uid")))));
    }

    private void list(Context ctx) throws ApiException {
        long since = Ids.queryVersion(ctx, "sinceVersion");
        int limit = Ids.queryLimit(ctx, "limit", DEFAULT_PAGE, Friendships.MAX_PAGE - 1);
        FriendService.FriendPage page = friends.changes(BearerAuth.caller(ctx).uid(), since, limit);
        ctx.json(new FriendList(page.changes().stream().map(FriendRoutes::view).toList(),
                Long.toString(page.version()), page.hasMore()));
    }

    private static FriendView view(FriendChange c) {
        return new FriendView(c.friendUid(), c.removed(), Long.toString(c.version()), c.since());
    }

    static RequestView view(FriendRequestRecord r) {
        return new RequestView(Long.toString(r.requestId()), r.fromUid(), r.toUid(), r.message(), r.state().name(),
                r.createdAt(), r.updatedAt());
    }
}
