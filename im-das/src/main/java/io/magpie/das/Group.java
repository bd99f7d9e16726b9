package io.magpie.das;

import java.util.Objects;

/**
 * A row of {@code im_group}. {@code lastSeq} / {@code lastMsgId} follow the group conversation
 * {@code g_<groupId>} (advanced in the transaction that stores its messages); {@code large} is set
 * once a message was stored by read diffusion (members' conversation rows not written per message),
 * so SYNC reads the group's last seq for it. Immutable.
 *
 * @param groupId     from the segment allocator, biz tag {@code group}
 * @param name        display name
 * @param ownerUid    the creator
 * @param memberCount members now
 * @param lastSeq     seq of the newest message, 0 = none yet
 * @param lastMsgId   msg id of that message, 0 = none
 * @param version     moves on a change of profile or membership (a snowflake id)
 * @param large       whether messages were ever stored without per-member conversation rows
 * @param createdAt   ms since the epoch
 * @param updatedAt   ms since the epoch
 * @param dismissed   a dismissed group keeps its history but takes no messages
 */
public record Group(long groupId, String name, long ownerUid, int memberCount, long lastSeq, long lastMsgId,
                    long version, boolean large, long createdAt, long updatedAt, boolean dismissed) {

    public Group {
        Objects.requireNonNull(name, "name");
    }
}
