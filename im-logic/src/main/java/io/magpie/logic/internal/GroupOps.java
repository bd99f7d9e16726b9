package io.magpie.logic.internal;

import io.magpie.das.GroupDetails;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupMutation;
import io.magpie.das.GroupRoster;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.GroupJoinPolicy;
import io.magpie.protocol.proto.GroupProfile;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupRole;
import io.magpie.protocol.proto.GroupSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Step 5b for GROUP: who may make which change of a group, and what the change is (the SYSTEM
 * message's {@link GroupEvent}, the members added and removed, the other row changes). Pure: decided
 * from the roster read under the group's lock in the transaction that stores the change, so it sees
 * exactly the state the change applies to. The rules are docs/PROTOCOL.md 9.16's. Stateless.
 */
public final class GroupOps {

    /** What to do with one GROUP request. */
    public sealed interface Decision permits Refuse, Change, Pending, Reject {
    }

    /** Refused with an ERROR; nothing changes. */
    public record Refuse(ErrorCode code, String message) implements Decision {
    }

    /**
     * A change stored as a SYSTEM message: {@code added} join at its seq, {@code removed} leave at it
     * (and still receive it), {@code mutations} are the other row changes.
     */
    public record Change(GroupEvent.Builder event, List<Long> added, List<Long> removed,
                         List<GroupMutation> mutations) implements Decision {

        Change withAdded(List<Long> uids) {
            added.addAll(uids);
            return this;
        }

        Change withRemoved(List<Long> uids) {
            removed.addAll(uids);
            return this;
        }
    }

    /** A join request to store for the admins' approval (no timeline message). */
    public record Pending(String message) implements Decision {
    }

    /** An admin rejects the join request of {@code uid} (no timeline message). */
    public record Reject(long uid) implements Decision {
    }

    private final int serverMaxMembers;

    /** @param serverMaxMembers the server's member cap (logic.max-group-members); a group's own may be lower */
    public GroupOps(int serverMaxMembers) {
        this.serverMaxMembers = serverMaxMembers;
    }

    /**
     * @param roster the group's roster (empty: no such group)
     * @param now    ms since the epoch (mute ends are counted from it)
     */
    public Decision decide(GroupCommand c, Optional<GroupRoster> roster, long now) {
        long gid = c.groupId();
        if (roster.isEmpty()) {
            return new Refuse(ErrorCode.NOT_FOUND, "group " + gid + " does not exist");
        }
        GroupRoster r = roster.get();
        if (r.group().dismissed()) {
            return new Refuse(ErrorCode.NOT_FOUND, "group " + gid + " was dismissed; it takes no changes");
        }
        if (c.byOperator()) {
            // the service's operator (admin API) may only dismiss; GroupEvent.operator_uid 0 says so to members
            if (c.op() != GroupRequest.OpCase.DISMISS) {
                return new Refuse(ErrorCode.FORBIDDEN, "the operator may dismiss group " + gid + " but not " + c.op());
            }
            Change ch = change(GroupEventType.GROUP_DISMISSED, 0, List.of());
            ch.mutations().add(new GroupMutation.Dismiss());
            return ch;
        }
        long op = c.operatorUid();
        GroupRequest req = c.request();
        if (c.op() != GroupRequest.OpCase.JOIN && !r.isMember(op)) {
            return new Refuse(ErrorCode.FORBIDDEN, "uid " + op + " is not a member of group " + gid
                    + "; only members may change it");
        }
        GroupDetails d = r.details();
        int cap = d.effectiveMaxMembers(serverMaxMembers);
        return switch (c.op()) {
            case INVITE -> {
                if (d.invitePolicy() == GroupDetails.INVITE_ADMINS && !r.isAdmin(op)) {
                    yield new Refuse(ErrorCode.NOT_ADMIN, "group " + gid + " lets only admins and the owner invite");
                }
                List<Long> fresh = new ArrayList<>();
                for (long uid : req.getInvite().getUidsList()) {
                    if (!r.isMember(uid)) {
                        fresh.add(uid);
                    }
                }
                if (fresh.isEmpty()) {
                    yield new Refuse(ErrorCode.BAD_REQUEST, "every invited user is a member of group " + gid
                            + " already");
                }
                if (r.size() + fresh.size() > cap) {
                    yield full(gid, r.size(), fresh.size(), cap);
                }
                yield change(GroupEventType.MEMBERS_INVITED, op, fresh).withAdded(fresh);
            }
            case JOIN -> {
                if (r.isMember(op)) {
                    yield new Refuse(ErrorCode.BAD_REQUEST, "uid " + op + " is a member of group " + gid + " already");
                }
                if (d.joinPolicy() == GroupDetails.JOIN_CLOSED) {
                    yield new Refuse(ErrorCode.JOIN_NOT_ALLOWED, "group " + gid + " takes no join requests; ask a"
                            + " member to invite you");
                }
                if (r.size() + 1 > cap) {
                    yield full(gid, r.size(), 1, cap);
                }
                if (d.joinPolicy() == GroupDetails.JOIN_FREE) {
                    yield change(GroupEventType.MEMBER_JOINED, op, List.of(op)).withAdded(List.of(op));
                }
                yield new Pending(req.getJoin().getMessage());
            }
            case APPROVE_JOIN -> {
                long uid = req.getApproveJoin().getUid();
                if (!r.isAdmin(op)) {
                    yield notAdmin(gid, "approve join requests");
                }
                if (r.isMember(uid)) {
                    yield new Refuse(ErrorCode.BAD_REQUEST, "uid " + uid + " is a member of group " + gid
                            + " already");
                }
                if (r.size() + 1 > cap) {
                    yield full(gid, r.size(), 1, cap);
                }
                Change ch = change(GroupEventType.MEMBER_JOINED, op, List.of(uid)).withAdded(List.of(uid));
                ch.mutations().add(new GroupMutation.DropJoinRequest(uid));
                yield ch;
            }
            case REJECT_JOIN -> r.isAdmin(op) ? new Reject(req.getRejectJoin().getUid())
                    : notAdmin(gid, "reject join requests");
            case LEAVE -> r.role(op) == GroupMember.ROLE_OWNER
                    ? new Refuse(ErrorCode.OWNER_CANNOT_LEAVE, "uid " + op + " owns group " + gid
                    + " and may not leave it; transfer the ownership first (transfer_owner) or dismiss the group")
                    : change(GroupEventType.MEMBER_LEFT, op, List.of(op)).withRemoved(List.of(op));
            case KICK -> kick(c, r);
            case SET_ROLE -> {
                long uid = req.getSetRole().getUid();
                Refuse refused = ownerOnTarget(r, op, uid, "change roles");
                if (refused != null) {
                    yield refused;
                }
                int role = req.getSetRole().getRole() == GroupRole.GROUP_ROLE_ADMIN ? GroupMember.ROLE_ADMIN
                        : GroupMember.ROLE_MEMBER;
                if (r.role(uid) == role) {
                    yield new Refuse(ErrorCode.BAD_REQUEST, "uid " + uid + " has role " + req.getSetRole().getRole()
                            + " in group " + gid + " already");
                }
                Change ch = change(GroupEventType.ROLE_CHANGED, op, List.of(uid));
                ch.event().setRole(req.getSetRole().getRole());
                ch.mutations().add(new GroupMutation.SetRole(uid, role));
                yield ch;
            }
            case TRANSFER_OWNER -> {
                long uid = req.getTransferOwner().getUid();
                Refuse refused = ownerOnTarget(r, op, uid, "transfer the ownership");
                if (refused != null) {
                    yield refused;
                }
                Change ch = change(GroupEventType.OWNER_TRANSFERRED, op, List.of(uid));
                ch.mutations().add(new GroupMutation.TransferOwner(op, uid));
                yield ch;
            }
            case DISMISS -> {
                if (r.role(op) != GroupMember.ROLE_OWNER) {
                    yield notOwner(gid, "dismiss the group");
                }
                Change ch = change(GroupEventType.GROUP_DISMISSED, op, List.of());
                ch.mutations().add(new GroupMutation.Dismiss());
                yield ch;
            }
            case MUTE_MEMBER, UNMUTE_MEMBER -> mute(c, r, now);
            case MUTE_ALL -> {
                if (!r.isAdmin(op)) {
                    yield notAdmin(gid, "mute the group");
                }
                boolean muted = req.getMuteAll().getMuted();
                Change ch = change(GroupEventType.MUTE_ALL_CHANGED, op, List.of());
                ch.event().setMuteAll(muted);
                ch.mutations().add(new GroupMutation.UpdateSettings(null, null, null, muted));
                yield ch;
            }
            case UPDATE -> {
                if (!r.isAdmin(op)) {
                    yield notAdmin(gid, "change the group's name, avatar or announcement");
                }
                GroupProfile p = req.getUpdate();
                Change ch = change(GroupEventType.PROFILE_UPDATED, op, List.of());
                String name = p.hasName() ? p.getName().strip() : null;
                if (name != null) {
                    ch.event().setName(name);
                }
                if (p.hasAvatarUrl()) {
                    ch.event().setAvatarUrl(p.getAvatarUrl());
                }
                if (p.hasAnnouncement()) {
                    ch.event().setAnnouncement(p.getAnnouncement());
                }
                ch.mutations().add(new GroupMutation.UpdateProfile(name, p.hasAvatarUrl() ? p.getAvatarUrl() : null,
                        p.hasAnnouncement() ? p.getAnnouncement() : null));
                yield ch;
            }
            case SETTINGS -> settings(c, r);
            case OP_NOT_SET -> new Refuse(ErrorCode.BAD_REQUEST, "the request names no op");
        };
    }

    private Decision kick(GroupCommand c, GroupRoster r) {
        long gid = c.groupId();
        long op = c.operatorUid();
        if (!r.isAdmin(op)) {
            return notAdmin(gid, "remove members");
        }
        List<Long> targets = new ArrayList<>();
        for (long uid : c.request().getKick().getUidsList()) {
            if (uid == op) {
                return new Refuse(ErrorCode.BAD_REQUEST, "kick names yourself (uid " + op + "); use leave");
            }
            if (!r.isMember(uid)) {
                continue;
            }
            if (r.role(uid) == GroupMember.ROLE_OWNER) {
                return new Refuse(ErrorCode.NOT_OWNER, "uid " + uid + " owns group " + gid + " and cannot be removed");
            }
            if (r.isAdmin(uid) && r.role(op) != GroupMember.ROLE_OWNER) {
                return notOwner(gid, "remove an admin (uid " + uid + ")");
            }
            targets.add(uid);
        }
        if (targets.isEmpty()) {
            return new Refuse(ErrorCode.NOT_FOUND, "none of the users to remove is a member of group " + gid);
        }
        return change(GroupEventType.MEMBERS_KICKED, op, targets).withRemoved(targets);
    }

    private static Decision mute(GroupCommand c, GroupRoster r, long now) {
        long gid = c.groupId();
        long op = c.operatorUid();
        boolean mute = c.op() == GroupRequest.OpCase.MUTE_MEMBER;
        long uid = mute ? c.request().getMuteMember().getUid() : c.request().getUnmuteMember().getUid();
        if (!r.isAdmin(op)) {
            return notAdmin(gid, mute ? "mute members" : "unmute members");
        }
        if (!r.isMember(uid)) {
            return notMember(gid, uid);
        }
        if (r.role(uid) == GroupMember.ROLE_OWNER) {
            return new Refuse(ErrorCode.NOT_OWNER, "uid " + uid + " owns group " + gid + " and cannot be muted");
        }
        if (r.isAdmin(uid) && r.role(op) != GroupMember.ROLE_OWNER) {
            return notOwner(gid, "mute or unmute an admin (uid " + uid + ")");
        }
        if (!mute && r.mutedUntil(uid) <= now) {
            return new Refuse(ErrorCode.BAD_REQUEST, "uid " + uid + " is not muted in group " + gid);
        }
        long until = mute ? now + c.request().getMuteMember().getDurationMs() : 0;
        Change ch = change(mute ? GroupEventType.MEMBER_MUTED : GroupEventType.MEMBER_UNMUTED, op, List.of(uid));
        ch.event().setMuteUntil(until);
        ch.mutations().add(new GroupMutation.MuteMember(uid, until));
        return ch;
    }

    private Decision settings(GroupCommand c, GroupRoster r) {
        long gid = c.groupId();
        long op = c.operatorUid();
        if (!r.isAdmin(op)) {
            return notAdmin(gid, "change the group's settings");
        }
        GroupSettings s = c.request().getSettings();
        int max = s.getMaxMembers();
        if (max > serverMaxMembers) {
            return new Refuse(ErrorCode.BAD_REQUEST, "settings.max_members " + max + " is above this server's limit "
                    + serverMaxMembers + " (logic.max-group-members)");
        }
        if (max > 0 && max < r.size()) {
            return new Refuse(ErrorCode.BAD_REQUEST, "settings.max_members " + max + " is below the group's "
                    + r.size() + " members; remove members first");
        }
        Change ch = change(GroupEventType.SETTINGS_CHANGED, op, List.of());
        ch.event().setInvitePolicy(s.getInvitePolicy()).setJoinPolicy(s.getJoinPolicy()).setMaxMembers(max);
        ch.mutations().add(new GroupMutation.UpdateSettings(
                s.getInvitePolicyValue() == 0 ? null : s.getInvitePolicyValue(),
                s.getJoinPolicy() == GroupJoinPolicy.JOIN_POLICY_UNCHANGED ? null : s.getJoinPolicyValue(),
                max == 0 ? null : max, null));
        return ch;
    }

    /** The owner acting on another member: checks both. */
    private static Refuse ownerOnTarget(GroupRoster r, long op, long uid, String what) {
        long gid = r.group().groupId();
        if (r.role(op) != GroupMember.ROLE_OWNER) {
            return notOwner(gid, what);
        }
        if (uid == op) {
            return new Refuse(ErrorCode.BAD_REQUEST, "uid " + uid + " is yourself; name another member");
        }
        if (!r.isMember(uid)) {
            return notMember(gid, uid);
        }
        return null;
    }

    private static Change change(GroupEventType type, long operator, List<Long> targets) {
        return new Change(GroupEvent.newBuilder().setType(type).setOperatorUid(operator).addAllTargetUids(targets),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    private static Refuse full(long gid, int members, int adding, int cap) {
        return new Refuse(ErrorCode.GROUP_FULL, "group " + gid + " has " + members + " members; adding " + adding
                + " would pass its cap of " + cap + "; nobody was added");
    }

    private static Refuse notAdmin(long gid, String what) {
        return new Refuse(ErrorCode.NOT_ADMIN, "only admins and the owner of group " + gid + " may " + what);
    }

    private static Refuse notOwner(long gid, String what) {
        return new Refuse(ErrorCode.NOT_OWNER, "only the owner of group " + gid + " may " + what);
    }

    private static Refuse notMember(long gid, long uid) {
        return new Refuse(ErrorCode.NOT_FOUND, "uid " + uid + " is not a member of group " + gid);
    }
}
