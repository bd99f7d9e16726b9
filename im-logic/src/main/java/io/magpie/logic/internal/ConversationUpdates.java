package io.magpie.logic.internal;

import io.magpie.das.ConversationUpdate;
import io.magpie.das.GroupProgress;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Step 5d, the pure part: the conversation-list rows (and group rows) a batch of messages changes.
 * <ul>
 *   <li>A one-to-one message touches two owners: the sender (who has read up to their own message)
 *       and the peer (read position kept).</li>
 *   <li>A message of a group with at most {@code largeGroupThreshold} members touches every member's
 *       row the same way (write diffusion).</li>
 *   <li>A message of a larger group touches only the sender's row (their read position); the
 *       members' view comes from the group row, which SYNC merges in (read diffusion).</li>
 *   <li>Every group message advances its group's last seq, marked large on the read-diffusion path.</li>
 * </ul>
 * Rows of one owner and conversation are merged to the newest message, so a batch writes each row
 * once. The row's version is the newest msg id (user-scoped: ids rise with time). Stateless.
 */
public final class ConversationUpdates {

    /** What to write besides the message rows. */
    public record Plan(List<ConversationUpdate> rows, List<GroupProgress> groups) {
    }

    private ConversationUpdates() {
    }

    /** The rows of a batch of one-to-one messages. */
    public static List<ConversationUpdate> of(List<MessageRecord> records) {
        return plan(records, gid -> {
            throw new IllegalArgumentException("group " + gid + " in a batch of one-to-one messages");
        }, 0).rows();
    }

    /**
     * @param rosters             the roster of every group a record belongs to (from the batch's cache)
     * @param largeGroupThreshold groups with more members go the read-diffusion path
     */
    public static Plan plan(List<MessageRecord> records, LongFunction<GroupRoster> rosters, int largeGroupThreshold) {
        return plan(records, rosters, largeGroupThreshold, msgId -> Set.of());
    }

    /**
     * @param mentioned the members a group message mentions, by msg id (mention_all already expanded; empty for
     *                  most): their rows get the message's seq as their mention seq, also in a large group, whose
     *                  members' rows are otherwise not written per message
     */
    public static Plan plan(List<MessageRecord> records, LongFunction<GroupRoster> rosters, int largeGroupThreshold,
            LongFunction<Set<Long>> mentioned) {
        Map<String, ConversationUpdate> byOwnerAndConversation = new LinkedHashMap<>();
        Map<Long, GroupProgress> groups = new LinkedHashMap<>();
        for (MessageRecord r : records) {
            if (r.conversationType() == ConversationType.GROUP_VALUE) {
                long gid = ConversationIds.groupIdOf(r.conversationId());
                GroupRoster roster = rosters.apply(gid);
                boolean large = roster.size() > largeGroupThreshold;
                Set<Long> mentions = mentioned.apply(r.msgId());
                if (large) {
                    merge(byOwnerAndConversation, update(r, r.senderUid(), gid, r.seq(), 0));
                    for (long member : mentions) {
                        if (member != r.senderUid() && roster.isMember(member)) {
                            merge(byOwnerAndConversation, update(r, member, gid, ConversationUpdate.KEEP_READ_SEQ,
                                    r.seq()));
                        }
                    }
                } else {
                    for (long member : roster.memberUids()) {
                        boolean sender = member == r.senderUid();
                        merge(byOwnerAndConversation, update(r, member, gid,
                                sender ? r.seq() : ConversationUpdate.KEEP_READ_SEQ,
                                !sender && mentions.contains(member) ? r.seq() : 0));
                    }
                }
                groups.merge(gid, new GroupProgress(gid, r.seq(), r.msgId(), large), GroupProgress::merge);
            } else {
                long peer = ConversationIds.peerOf(r.conversationId(), r.senderUid());
                merge(byOwnerAndConversation, update(r, r.senderUid(), peer, r.seq(), 0));
                merge(byOwnerAndConversation, update(r, peer, r.senderUid(), ConversationUpdate.KEEP_READ_SEQ, 0));
            }
        }
        return new Plan(new ArrayList<>(byOwnerAndConversation.values()), new ArrayList<>(groups.values()));
    }

    private static ConversationUpdate update(MessageRecord r, long owner, long peer, long readSeq, long mentionSeq) {
        return new ConversationUpdate(owner, r.conversationId(), r.conversationType(), peer, r.seq(), r.msgId(),
                r.msgId(), readSeq, mentionSeq);
    }

    private static void merge(Map<String, ConversationUpdate> rows, ConversationUpdate u) {
        rows.merge(u.ownerUid() + "/" + u.conversationId(), u, (a, b) -> {
            ConversationUpdate newer = b.lastSeq() >= a.lastSeq() ? b : a;
            return new ConversationUpdate(newer.ownerUid(), newer.conversationId(), newer.conversationType(),
                    newer.peerId(), newer.lastSeq(), newer.lastMsgId(), Math.max(a.version(), b.version()),
                    Math.max(a.readSeq(), b.readSeq()), Math.max(a.mentionSeq(), b.mentionSeq()));
        });
    }
}
