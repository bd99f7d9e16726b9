package io.magpie.das;

import java.util.List;
import java.util.Objects;

/**
 * One change of a group's rows, applied by {@link GroupRepository#apply} in the transaction that stores
 * the SYSTEM message recording it (see {@link MessageStore.Writes#changes()}). Immutable values.
 */
public sealed interface GroupMutation {

    /** A new group with its first members (their join seq is 1) and their conversation rows. */
    record Create(Group group, List<GroupMember> members) implements GroupMutation {
        public Create {
            Objects.requireNonNull(group, "group");
            members = List.copyOf(members);
        }
    }

    /** Plain members joining at {@code joinSeq} (the seq of the message that adds them). */
    record AddMembers(List<Long> uids, long joinSeq) implements GroupMutation {
        public AddMembers {
            uids = List.copyOf(uids);
        }
    }

    /** Members leaving at {@code leftSeq}, the last seq they see (the message that removes them). */
    record RemoveMembers(List<Long> uids, long leftSeq) implements GroupMutation {
        public RemoveMembers {
            uids = List.copyOf(uids);
        }
    }

    /** {@code uid} gets {@code role} ({@link GroupMember#ROLE_MEMBER} or {@link GroupMember#ROLE_ADMIN}). */
    record SetRole(long uid, int role) implements GroupMutation {
    }

    /** {@code to} becomes the owner, {@code from} (the old owner) a plain member. */
    record TransferOwner(long from, long to) implements GroupMutation {
    }

    /** {@code uid} may not send until {@code until} (ms since the epoch; 0 = not muted). */
    record MuteMember(long uid, long until) implements GroupMutation {
    }

    /** Profile fields; null = unchanged. */
    record UpdateProfile(String name, String avatarUrl, String announcement) implements GroupMutation {
    }

    /** Settings; null = unchanged. */
    record UpdateSettings(Integer invitePolicy, Integer joinPolicy, Integer maxMembers, Boolean muteAll)
            implements GroupMutation {
    }

    /** The group takes no messages nor changes any more. */
    record Dismiss() implements GroupMutation {
    }

    /** The join request of {@code uid} is settled (approved). */
    record DropJoinRequest(long uid) implements GroupMutation {
    }
}
