package io.magpie.logic.internal;

import io.magpie.das.GroupRoster;
import io.magpie.protocol.ErrorCode;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Step 5b' for group sends: the group exists, is not dismissed, the sender (the gate's
 * authenticated uid) is one of its members, no admin muted them (until a time), and the group is not
 * muted as a whole (admins and the owner may always send). Stateless apart from its clock; the roster
 * is the one read under the group's lock in the transaction that stores the message.
 */
public final class GroupAuthorizer {

    private final Clock clock;

    /** @param clock tells whether a member's mute has ended */
    public GroupAuthorizer(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param roster the group's roster, empty if there is no such group
     * @return the refusal to send back, or empty when the send may go ahead
     */
    public Optional<Rejection> check(SendCommand c, Optional<GroupRoster> roster) {
        long groupId = c.groupId();
        if (roster.isEmpty() || roster.get().group().dismissed()) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.NOT_FOUND, "group " + groupId
                    + (roster.isEmpty() ? " does not exist" : " was dismissed") + "; the message was not sent"));
        }
        GroupRoster r = roster.get();
        long sender = c.senderUid();
        if (!r.isMember(sender)) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.FORBIDDEN, "uid " + sender
                    + " is not a member of group " + groupId + "; the message was not sent"));
        }
        // a personal mute binds admins too (the owner may mute an admin); mute-all spares admins
        long mutedUntil = r.mutedUntil(sender);
        if (mutedUntil > clock.millis()) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.MEMBER_MUTED, "uid " + sender
                    + " is muted in group " + groupId + " until " + Instant.ofEpochMilli(mutedUntil)
                    + "; the message was not sent"));
        }
        if (r.details().muteAll() && !r.isAdmin(sender)) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.GROUP_MUTED, "group " + groupId
                    + " is muted: only admins and the owner may send; the message was not sent"));
        }
        return Optional.empty();
    }
}
