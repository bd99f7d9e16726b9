package io.magpie.client;

import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageType;
import java.util.Optional;

/**
 * Reads the group change a SYSTEM message records (docs/PROTOCOL.md §9.16): SYSTEM messages reach
 * {@link MessageListener#onMessage} like any other, in seq order; this turns one into its typed {@link GroupEvent}.
 * Stateless.
 */
public final class GroupEvents {

    private GroupEvents() {
    }

    /** The event of {@code message}, empty when it is not a SYSTEM message. */
    public static Optional<GroupEvent> of(Message message) {
        return message.getContent().getType() == MessageType.SYSTEM && message.getContent().hasGroupEvent()
                ? Optional.of(message.getContent().getGroupEvent()) : Optional.empty();
    }

    /** A one-line description for logs and simple UIs, e.g. "uid 7 invited [8, 9]". */
    public static String describe(GroupEvent e) {
        String who = "uid " + e.getOperatorUid();
        return switch (e.getType()) {
            case GROUP_CREATED -> who + " created the group '" + e.getName() + "' with " + e.getTargetUidsList();
            case MEMBERS_INVITED -> who + " invited " + e.getTargetUidsList();
            case MEMBER_JOINED -> e.getTargetUidsList().contains(e.getOperatorUid()) ? who + " joined"
                    : who + " approved " + e.getTargetUidsList() + " joining";
            case MEMBER_LEFT -> who + " left";
            case MEMBERS_KICKED -> who + " removed " + e.getTargetUidsList();
            case ROLE_CHANGED -> who + " made " + e.getTargetUidsList() + " " + e.getRole();
            case OWNER_TRANSFERRED -> who + " handed the group to " + e.getTargetUidsList();
            case GROUP_DISMISSED -> who + " dismissed the group";
            case MEMBER_MUTED -> who + " muted " + e.getTargetUidsList() + " until " + e.getMuteUntil();
            case MEMBER_UNMUTED -> who + " unmuted " + e.getTargetUidsList();
            case MUTE_ALL_CHANGED -> who + (e.getMuteAll() ? " muted the group" : " unmuted the group");
            case PROFILE_UPDATED -> who + " changed" + (e.hasName() ? " the name to '" + e.getName() + "'" : "")
                    + (e.hasAvatarUrl() ? " the avatar" : "") + (e.hasAnnouncement() ? " the announcement to '"
                    + e.getAnnouncement() + "'" : "");
            case SETTINGS_CHANGED -> who + " changed the settings (invite " + e.getInvitePolicy() + ", join "
                    + e.getJoinPolicy() + ", max members " + e.getMaxMembers() + ")";
            default -> who + " changed the group (" + e.getType() + ")";
        } + " [" + e.getMemberCount() + " members]";
    }
}
