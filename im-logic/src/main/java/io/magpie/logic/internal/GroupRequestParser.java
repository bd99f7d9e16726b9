package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupRole;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Step 5a for GROUP: turns the body of an authenticated envelope into a {@link GroupCommand} or a
 * {@link Rejection}, checking the shape of the request only (sizes, ranges, an op present); what the
 * operator may do is decided under the group's lock by {@link GroupOps}. Never throws on bad input.
 * Stateless, thread-safe.
 */
public final class GroupRequestParser {

    /** Most uids one invite or kick names (docs/PROTOCOL.md 9.16). */
    public static final int MAX_UIDS_PER_REQUEST = 500;
    /** Longest mute: 366 days. */
    public static final long MAX_MUTE_MS = 366L * 24 * 3600 * 1000;
    public static final int MAX_JOIN_MESSAGE_CHARS = 256;
    public static final int MAX_AVATAR_URL_CHARS = 512;
    public static final int MAX_ANNOUNCEMENT_CHARS = 2048;

    /** Outcome of parsing one GROUP request. */
    public sealed interface Parsed permits Accepted, Refused {
    }

    public record Accepted(GroupCommand command) implements Parsed {
    }

    public record Refused(Rejection rejection) implements Parsed {
    }

    public Parsed parse(UpstreamEnvelope env) {
        GroupRequest req;
        try {
            req = GroupRequest.parseFrom(env.getBody());
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, "body of GROUP (" + env.getBody().size() + " bytes) is not a valid GroupRequest: "
                    + e.getMessage());
        }
        String clientMsgId = req.getClientMsgId();
        String badId = SendRequestParser.clientMsgIdProblem(clientMsgId);
        if (badId != null) {
            return refuse(env, badId);
        }
        if (req.getGroupId() <= 0) {
            return refuse(env, "group_id must be a positive group id, got " + req.getGroupId());
        }
        String conversationId = ConversationIds.group(req.getGroupId());
        if (!env.getConversationId().isEmpty() && !env.getConversationId().equals(conversationId)) {
            return new Refused(new Rejection(env, ErrorCode.INTERNAL, "the gate routed this GROUP request as '"
                    + env.getConversationId() + "' but it belongs to '" + conversationId + "'; nothing was changed"));
        }
        String problem = switch (req.getOpCase()) {
            case OP_NOT_SET -> "the request names no op (invite, join, approve_join, reject_join, leave, kick,"
                    + " set_role, transfer_owner, dismiss, mute_member, unmute_member, mute_all, update, settings)";
            case INVITE -> uids("invite.uids", req.getInvite().getUidsList());
            case KICK -> uids("kick.uids", req.getKick().getUidsList());
            case JOIN -> req.getJoin().getMessage().length() > MAX_JOIN_MESSAGE_CHARS
                    ? "join.message has " + req.getJoin().getMessage().length() + " characters; at most "
                    + MAX_JOIN_MESSAGE_CHARS : null;
            case APPROVE_JOIN -> uid("approve_join.uid", req.getApproveJoin().getUid());
            case REJECT_JOIN -> uid("reject_join.uid", req.getRejectJoin().getUid());
            case TRANSFER_OWNER -> uid("transfer_owner.uid", req.getTransferOwner().getUid());
            case UNMUTE_MEMBER -> uid("unmute_member.uid", req.getUnmuteMember().getUid());
            case SET_ROLE -> req.getSetRole().getRole() != GroupRole.GROUP_ROLE_ADMIN
                    && req.getSetRole().getRole() != GroupRole.GROUP_ROLE_MEMBER
                    ? "set_role.role must be GROUP_ROLE_ADMIN or GROUP_ROLE_MEMBER (the owner changes by"
                    + " transfer_owner), got " + req.getSetRole().getRole()
                    : uid("set_role.uid", req.getSetRole().getUid());
            case MUTE_MEMBER -> req.getMuteMember().getDurationMs() < 1
                    || req.getMuteMember().getDurationMs() > MAX_MUTE_MS
                    ? "mute_member.duration_ms must be 1-" + MAX_MUTE_MS + " (366 days), got "
                    + req.getMuteMember().getDurationMs() : uid("mute_member.uid", req.getMuteMember().getUid());
            case UPDATE -> profile(req);
            case SETTINGS -> settings(req);
            case LEAVE, DISMISS, MUTE_ALL -> null;
        };
        if (problem != null) {
            return refuse(env, problem);
        }
        return new Accepted(new GroupCommand(env, req, SendCommand.NO_PARTITION));
    }

    private static String uids(String field, List<Long> uids) {
        if (uids.isEmpty() || uids.size() > MAX_UIDS_PER_REQUEST) {
            return field + " must name 1-" + MAX_UIDS_PER_REQUEST + " users, got " + uids.size()
                    + "; send larger changes in several requests";
        }
        Set<Long> seen = new HashSet<>();
        for (long uid : uids) {
            if (uid <= 0) {
                return field + " holds " + uid + ", not a uid";
            }
            if (!seen.add(uid)) {
                return field + " names uid " + uid + " twice";
            }
        }
        return null;
    }

    private static String uid(String field, long uid) {
        return uid > 0 ? null : field + " must be a uid, got " + uid;
    }

    private static String profile(GroupRequest req) {
        var p = req.getUpdate();
        if (!p.hasName() && !p.hasAvatarUrl() && !p.hasAnnouncement()) {
            return "update names no field to change (name, avatar_url, announcement)";
        }
        if (p.hasName()) {
            try {
                GroupInput.name(p.getName());
            } catch (ApiException e) {
                return "update." + e.getMessage();
            }
        }
        if (p.getAvatarUrl().length() > MAX_AVATAR_URL_CHARS) {
            return "update.avatar_url has " + p.getAvatarUrl().length() + " characters; at most "
                    + MAX_AVATAR_URL_CHARS;
        }
        if (p.getAnnouncement().length() > MAX_ANNOUNCEMENT_CHARS) {
            return "update.announcement has " + p.getAnnouncement().length() + " characters; at most "
                    + MAX_ANNOUNCEMENT_CHARS;
        }
        return null;
    }

    private static String settings(GroupRequest req) {
        var s = req.getSettings();
        if (s.getInvitePolicyValue() < 0 || s.getInvitePolicyValue() > 2) {
            return "settings.invite_policy must be INVITE_MEMBERS (1) or INVITE_ADMINS (2), got "
                    + s.getInvitePolicyValue();
        }
        if (s.getJoinPolicyValue() < 0 || s.getJoinPolicyValue() > 3) {
            return "settings.join_policy must be JOIN_APPROVAL (1), JOIN_FREE (2) or JOIN_CLOSED (3), got "
                    + s.getJoinPolicyValue();
        }
        if (s.getMaxMembers() < 0) {
            return "settings.max_members must be positive (0 keeps it), got " + s.getMaxMembers();
        }
        if (s.getInvitePolicyValue() == 0 && s.getJoinPolicyValue() == 0 && s.getMaxMembers() == 0) {
            return "settings names no setting to change (invite_policy, join_policy, max_members)";
        }
        return null;
    }

    private static Refused refuse(UpstreamEnvelope env, String message) {
        return new Refused(new Rejection(env, ErrorCode.BAD_REQUEST, message + "; nothing was changed"));
    }
}
