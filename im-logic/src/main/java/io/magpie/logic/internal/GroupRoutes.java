package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.GroupJoinRequests;
import io.magpie.das.GroupMember;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.logic.internal.GroupService.GroupView;
import java.util.List;

/**
 * The group routes of the account API (JSON; the caller is the bearer token's uid). Changes of an
 * existing group are GROUP commands on the client connection (docs/PROTOCOL.md 9.16), not routes:
 * <ul>
 *   <li>{@code POST /v1/groups {name, members: [uid...]}} -> 201 {@code {groupId, name, ownerUid, members: [uid...]}}</li>
 *   <li>{@code GET /v1/groups/{groupId}} -> the group, its settings and members (members only)</li>
 *   <li>{@code GET /v1/groups/{groupId}/members?afterUid=&limit=} -> {@code {members: [...], nextAfterUid}}
 *       (members only; nextAfterUid 0 = last page)</li>
 *   <li>{@code GET /v1/groups/{groupId}/join-requests?afterUid=&limit=} -> {@code {requests: [...], nextAfterUid}}
 *       (admins and the owner only)</li>
 * </ul>
 * Thread-safe.
 */
public final class GroupRoutes {

    /** Default page size of the paged lists. */
    static final int DEFAULT_PAGE = 100;

    record NewGroup(String name, List<Long> members) {
    }

    record CreatedGroup(long groupId, String name, long ownerUid, List<Long> members) {
    }

    record MemberView(long uid, String role, long joinSeq) {
    }

    record GroupDetails(long groupId, String name, long ownerUid, int memberCount, long lastSeq, boolean dismissed,
                        String avatarUrl, String announcement, String invitePolicy, String joinPolicy,
                        int maxMembers, boolean muteAll, List<MemberView> members) {
    }

    record MembersPage(List<MemberView> members, long nextAfterUid) {
    }

    record JoinRequestView(long uid, String message, long createdAt) {
    }

    record JoinRequestsPage(List<JoinRequestView> requests, long nextAfterUid) {
    }

    private final GroupService groups;
    private final JsonBodies bodies;

    public GroupRoutes(GroupService groups, JsonBodies bodies) {
        this.groups = groups;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.post("/v1/groups", this::create);
        app.get("/v1/groups/{groupId}", this::find);
        app.get("/v1/groups/{groupId}/members", this::members);
        app.get("/v1/groups/{groupId}/join-requests", this::joinRequests);
    }

    private void create(Context ctx) throws ApiException {
        NewGroup req = bodies.read(ctx, NewGroup.class);
        TokenClaims caller = BearerAuth.caller(ctx);
        GroupView g = groups.create(caller.uid(), caller.deviceId(), caller.appId(), req.name(), req.members());
        ctx.status(201).json(new CreatedGroup(g.group().groupId(), g.group().name(), g.group().ownerUid(),
                g.members().stream().map(GroupMember::uid).toList()));
    }

    private void find(Context ctx) throws ApiException {
        GroupView g = groups.find(BearerAuth.caller(ctx).uid(), JsonBodies.positiveId(ctx, "groupId"));
        var d = g.details();
        ctx.json(new GroupDetails(g.group().groupId(), g.group().name(), g.group().ownerUid(),
                g.group().memberCount(), g.group().lastSeq(), g.group().dismissed(), d.avatarUrl(), d.announcement(),
                d.invitePolicy() == io.magpie.das.GroupDetails.INVITE_ADMINS ? "ADMINS" : "MEMBERS",
                switch (d.joinPolicy()) {
                    case io.magpie.das.GroupDetails.JOIN_FREE -> "FREE";
                    case io.magpie.das.GroupDetails.JOIN_CLOSED -> "CLOSED";
                    default -> "APPROVAL";
                }, d.maxMembers(), d.muteAll(),
                g.members().stream().map(GroupRoutes::view).toList()));
    }

    private void members(Context ctx) throws ApiException {
        long groupId = JsonBodies.positiveId(ctx, "groupId");
        int limit = intQuery(ctx, "limit", DEFAULT_PAGE);
        List<GroupMember> page = groups.members(BearerAuth.caller(ctx).uid(), groupId,
                longQuery(ctx, "afterUid"), limit);
        ctx.json(new MembersPage(page.stream().map(GroupRoutes::view).toList(),
                page.size() < limit ? 0 : page.get(page.size() - 1).uid()));
    }

    private void joinRequests(Context ctx) throws ApiException {
        long groupId = JsonBodies.positiveId(ctx, "groupId");
        int limit = intQuery(ctx, "limit", DEFAULT_PAGE);
        List<GroupJoinRequests.JoinRequest> page = groups.joinRequests(BearerAuth.caller(ctx).uid(), groupId,
                longQuery(ctx, "afterUid"), limit);
        ctx.json(new JoinRequestsPage(page.stream().map(r -> new JoinRequestView(r.uid(), r.message(),
                r.createdAt())).toList(), page.size() < limit ? 0 : page.get(page.size() - 1).uid()));
    }

    private static MemberView view(GroupMember m) {
        return new MemberView(m.uid(), role(m.role()), m.joinSeq());
    }

    private static long longQuery(Context ctx, String name) throws ApiException {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return 0;
        }
        if (raw.length() <= 18 && raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Long.parseLong(raw);
        }
        throw ApiException.badRequest(name + " must be a non-negative integer, got '" + JsonBodies.abbreviate(raw)
                + "'");
    }

    private static int intQuery(Context ctx, String name, int dflt) throws ApiException {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        long value = longQuery(ctx, name);
        if (value < 1 || value > GroupService.MAX_PAGE) {
            throw ApiException.badRequest(name + " must be 1-" + GroupService.MAX_PAGE + ", got " + raw);
        }
        return (int) value;
    }

    static String role(int role) {
        return switch (role) {
            case GroupMember.ROLE_OWNER -> "OWNER";
            case GroupMember.ROLE_ADMIN -> "ADMIN";
            default -> "MEMBER";
        };
    }
}
