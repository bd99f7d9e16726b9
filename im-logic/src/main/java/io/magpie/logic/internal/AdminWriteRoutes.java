package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * The operator's writes of the admin API (admin token, {@link AdminAuth}; docs/operations.md "Admin API"):
 * <ul>
 *   <li>{@code DELETE /v1/admin/conversations/{conversationId}/messages/{seq}} -> 200/202 {@link OperatorWrites.Outcome}:
 *       the message becomes a placeholder for everyone (NOTICE_RECALLED, uid 0)</li>
 *   <li>{@code POST /v1/admin/users/{uid}/messages {fromUid, title?, text}} -> 201/202: a SYSTEM message in the
 *       user's conversation with account fromUid</li>
 *   <li>{@code POST /v1/admin/groups/{groupId}/messages {title?, text}} -> 201/202: a SYSTEM message to the group</li>
 *   <li>{@code DELETE /v1/admin/groups/{groupId}} -> 200/202: the group is dismissed (GROUP_DISMISSED, operator 0)</li>
 *   <li>{@code POST /v1/admin/broadcasts {title?, text}} -> 202 {@link BroadcastJobs.Job}: every online user, paced</li>
 *   <li>{@code GET /v1/admin/broadcasts/{id}} -> 200 {@link BroadcastJobs.Job}</li>
 * </ul>
 * 202 on a write: published, not yet applied within {@link OperatorWrites#APPLY_WAIT}. Thread-safe.
 */
public final class AdminWriteRoutes {

    record UserNotice(Long fromUid, String title, String text) {
    }

    record Notice(String title, String text) {
    }

    private final OperatorWrites writes;
    private final BroadcastJobs broadcasts;
    private final JsonBodies bodies;

    /** @param broadcasts null when the role runs without Redis or Kafka: the broadcast routes answer 503 */
    public AdminWriteRoutes(OperatorWrites writes, BroadcastJobs broadcasts, JsonBodies bodies) {
        this.writes = writes;
        this.broadcasts = broadcasts;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.delete("/v1/admin/conversations/{conversationId}/messages/{seq}", this::deleteMessage, Access.ADMIN);
        app.post("/v1/admin/users/{uid}/messages", this::messageUser, Access.ADMIN);
        app.post("/v1/admin/groups/{groupId}/messages", this::messageGroup, Access.ADMIN);
        app.delete("/v1/admin/groups/{groupId}", this::dismiss, Access.ADMIN);
        app.post("/v1/admin/broadcasts", this::broadcast, Access.ADMIN);
        app.get("/v1/admin/broadcasts/{id}", this::broadcastProgress, Access.ADMIN);
    }

    private void deleteMessage(Context ctx) throws ApiException {
        long seq = JsonBodies.positiveId(ctx, "seq");
        answer(ctx, 200, writes.deleteMessage(ctx.pathParam("conversationId"), seq));
    }

    private void messageUser(Context ctx) throws ApiException {
        long uid = JsonBodies.positiveId(ctx, "uid");
        UserNotice req = bodies.read(ctx, UserNotice.class);
        if (req.fromUid() == null || req.fromUid() <= 0) {
            throw ApiException.badRequest("fromUid is required: the uid of the account the notice comes from (the"
                    + " user sees it in their conversation with that account)");
        }
        answer(ctx, 201, writes.messageUser(req.fromUid(), uid, req.title(), req.text()));
    }

    private void messageGroup(Context ctx) throws ApiException {
        long groupId = JsonBodies.positiveId(ctx, "groupId");
        Notice req = bodies.read(ctx, Notice.class);
        answer(ctx, 201, writes.messageGroup(groupId, req.title(), req.text()));
    }

    private void dismiss(Context ctx) throws ApiException {
        answer(ctx, 200, writes.dismissGroup(JsonBodies.positiveId(ctx, "groupId")));
    }

    private void broadcast(Context ctx) throws ApiException {
        Notice req = bodies.read(ctx, Notice.class);
        var notice = OperatorWrites.notice(req.title(), req.text());
        ctx.status(202).json(requireBroadcasts().start(notice));
    }

    private void broadcastProgress(Context ctx) throws ApiException {
        long id = JsonBodies.positiveId(ctx, "id");
        ctx.json(requireBroadcasts().find(id).orElseThrow(() -> new ApiException(404, "NOT_FOUND",
                "no broadcast " + id + " (broadcasts are kept " + BroadcastJobs.KEEP.toDays() + " days)")));
    }

    private BroadcastJobs requireBroadcasts() throws ApiException {
        if (broadcasts == null) {
            throw new ApiException(503, "SERVER_BUSY", "this logic role runs without Redis or Kafka, which a"
                    + " broadcast needs; ask a logic role of the cluster");
        }
        return broadcasts;
    }

    private static void answer(Context ctx, int appliedStatus, OperatorWrites.Outcome outcome) {
        ctx.status(outcome.applied() ? appliedStatus : 202).json(outcome);
    }
}
