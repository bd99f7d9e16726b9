package io.magpie.logic.internal;

import io.magpie.das.GroupRoster;
import io.magpie.protocol.ErrorCode;
import java.util.Optional;

/**
 * Step 5b' for group sends: the group exists, is not dismissed, and the sender (the gate's
 * authenticated uid) is one of its members. Stateless; the roster is the one read under the group's
 * lock in the transaction that stores the message.
 */
public final class GroupAuthorizer {

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
        if (!roster.get().isMember(c.senderUid())) {
            return Optional.of(new Rejection(c.envelope(), ErrorCode.FORBIDDEN, "uid " + c.senderUid()
                    + " is not a member of group " + groupId + "; the message was not sent"));
        }
        return Optional.empty();
    }
}
