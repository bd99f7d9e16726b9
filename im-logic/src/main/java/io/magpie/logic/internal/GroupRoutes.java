package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.GroupMember;
import io.magpie.das.MembershipChange;
import io.magpie.logic.internal.GroupService.GroupView;
import java.util.List;

/**
 * The group routes of the account API (JSON; the caller is the bearer token's uid):
 * <ul>
 *   <li>{@code POST /v1/groups {name, members: [uid...]}} -> 201 {@code {groupId, name, ownerUid, members: [uid...]}}</li>
 *   <li>{@code GET /v1/groups/{groupId}} -> {@code {groupId, name, ownerUid, members: [{uid, role, joinSeq}]}}</li>
 *   <li>{@code POST /v1/groups/{groupId}/members {uids: [uid...]}} -> {@code {groupId, added: [uid...], memberCount}}</li>
 * </ul>
 * Thread-safe.
 */
public final class GroupRoutes {

    record NewGroup(String name, List<Long> members) {
    }

    record NewMembers(List<Long> uids) {
    }

    record CreatedGroup(long groupId, String name, long ownerUid, List<Long> members) {
    }

    record MemberView(long uid, String role, long joinSeq) {
    }

    record GroupDetails(long groupId, String name, long ownerUid, List<MemberView> members) {
    }

    record MembersAdded(long groupId, List<Long> added, int memberCount) {
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
        app.post("/v1/groups/{groupId}/members", this::addMembers);
    }

    private void create(Context ctx) throws ApiException {
        NewGroup req = bodies.read(ctx, NewGroup.class);
        GroupView g = groups.create(BearerAuth.caller(ctx).uid(), req.name(), req.members());
        ctx.status(201).json(new CreatedGroup(g.group().groupId(), g.group().name(), g.group().ownerUid(),
                g.members().stream().map(GroupMember::uid).toList()));
    }

    private void find(Context ctx) throws ApiException {
        GroupView g = groups.find(BearerAuth.caller(ctx).uid(), JsonBodies.positiveId(ctx, "groupId"));
        ctx.json(new GroupDetails(g.group().groupId(), g.group().name(), g.group().ownerUid(),
                g.members().stream().map(m -> new MemberView(m.uid(), role(m.role()), m.joinSeq())).toList()));
    }

    private void addMembers(Context ctx) throws ApiException {
        long groupId = JsonBodies.positiveId(ctx, "groupId");
        NewMembers req = bodies.read(ctx, NewMembers.class);
        MembershipChange change = groups.addMembers(BearerAuth.caller(ctx).uid(), groupId, req.uids());
        ctx.json(new MembersAdded(groupId, change.added().stream().map(GroupMember::uid).toList(),
                change.memberCount()));
    }

    static String role(int role) {
        return switch (role) {
            case GroupMember.ROLE_OWNER -> "OWNER";
            case GroupMember.ROLE_ADMIN -> "ADMIN";
            default -> "MEMBER";
        };
    }
}
