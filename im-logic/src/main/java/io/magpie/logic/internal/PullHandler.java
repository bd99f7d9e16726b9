package io.magpie.logic.internal;

import io.magpie.das.Conversation;
import io.magpie.das.ConversationRepository;
import io.magpie.das.FormerMember;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupRepository;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.OwnHistory;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.PullAck;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Step 9, PULL: a page of one conversation's messages by seq range, the oldest of the range first, or
 * its newest when paging backwards through history. Messages the caller deleted for themselves come
 * as placeholders (status DELETED), so seqs stay gapless. Only a member may pull (a
 * one-to-one conversation's two users, a group's members), and never below what the caller may
 * see: after their cleared seq, and in a group from their join seq (and, for one who left or was
 * kicked, up to the seq that removed them). Blocking JDBC on the consumer
 * thread; stateless, thread-safe.
 */
public final class PullHandler {

    private final MessageRepository messages;
    private final ConversationRepository conversations;
    private final GroupRepository groups;
    private final OwnHistory history;
    private final SyncCursor cursor;

    /** @param cursor the next {@code since_version} of a changes PULL, held back like SYNC's */
    public PullHandler(MessageRepository messages, ConversationRepository conversations, GroupRepository groups,
            OwnHistory history, SyncCursor cursor) {
        this.messages = messages;
        this.conversations = conversations;
        this.groups = groups;
        this.history = history;
        this.cursor = cursor;
    }

    /** @throws io.magpie.registry.StorageException when MySQL could not answer */
    public OutgoingPush answer(QueryCommand.Pull q) {
        Optional<ConversationRef> ref = ConversationRef.parse(q.conversationId());
        if (ref.isEmpty()) {
            return refuse(q, ErrorCode.BAD_REQUEST, "conversation_id '" + q.conversationId()
                    + "' is not s_<uid>_<uid> or g_<group id>");
        }
        long firstVisible;
        long lastVisible = Long.MAX_VALUE;
        long target;
        if (ref.get() instanceof ConversationRef.Single single) {
            if (!single.hasMember(q.uid())) {
                return refuse(q, ErrorCode.FORBIDDEN, "uid " + q.uid() + " is not a member of " + q.conversationId());
            }
            firstVisible = clearedSeq(q) + 1;
            target = single.peerOf(q.uid());
        } else {
            long gid = ((ConversationRef.Group) ref.get()).groupId();
            Optional<GroupMember> member = groups.member(gid, q.uid());
            if (member.isPresent()) {
                GroupMember m = member.get();
                firstVisible = Math.max(m.joinSeq(), Math.max(m.clearedSeq(), clearedSeq(q)) + 1);
            } else {
                // someone who left or was kicked sees up to the message that removed them, nothing after
                Optional<FormerMember> former = groups.formerMember(gid, q.uid());
                if (former.isEmpty()) {
                    return refuse(q, ErrorCode.FORBIDDEN, "uid " + q.uid() + " is not a member of group " + gid);
                }
                firstVisible = Math.max(former.get().joinSeq(), clearedSeq(q) + 1);
                lastVisible = former.get().leftSeq();
            }
            target = gid;
        }
        PullAck.Builder ack = PullAck.newBuilder().setConversationId(q.conversationId());
        if (q.sinceVersion() > 0) {
            return changes(q, ref.get(), firstVisible, lastVisible, target, ack);
        }
        long from = Math.max(q.fromSeq(), firstVisible);
        long to = Math.min(q.toSeq(), lastVisible);
        if (from <= to) {
            List<MessageRecord> found = q.backward()
                    ? messages.findRangeNewest(q.conversationId(), from, to, q.limit() + 1)
                    : messages.findRange(q.conversationId(), from, to, q.limit() + 1);
            boolean hasMore = found.size() > q.limit();
            // forward: the extra one is the newest (more after the page); backward: the oldest (more before it)
            List<MessageRecord> page = !hasMore ? found
                    : q.backward() ? found.subList(1, found.size()) : found.subList(0, q.limit());
            Set<Long> hidden = page.isEmpty() ? Set.of() : history.hiddenIn(q.uid(), q.conversationId(),
                    page.get(0).seq(), page.get(page.size() - 1).seq());
            for (MessageRecord stored : page) {
                MessageRecord r = hidden.contains(stored.seq()) ? Placeholders.deletedForViewer(stored) : stored;
                // one-to-one: the recipient as the sender addressed it; seen from the caller that may be themselves
                long messageTarget = ref.get() instanceof ConversationRef.Single single
                        ? single.peerOf(r.senderUid()) : target;
                ack.addMessages(PushTaskFactory.toMessage(r, messageTarget));
            }
            ack.setHasMore(hasMore);
        }
        return PushTaskFactory.reply(q.envelope(), Command.PULL_ACK, ack.build());
    }

    /**
     * The conversation's changes after the caller's version: messages whose version rose (new, recalled)
     * merged with the caller's own deletions (their version is the deletion's), ascending by version.
     */
    private OutgoingPush changes(QueryCommand.Pull q, ConversationRef ref, long firstVisible, long lastVisible,
            long target,
            PullAck.Builder ack) {
        List<MessageRecord> changed = messages.findSinceVersion(q.conversationId(), q.sinceVersion(), q.limit() + 1);
        // one DELETE's seqs share a version: fetch past MAX_SEQS so a cut never falls inside the first version
        int deletionsLimit = Math.max(q.limit(), OwnHistory.MAX_SEQS) + 1;
        List<OwnHistory.Hidden> deletions = history.hiddenSince(q.uid(), q.conversationId(), q.sinceVersion(),
                deletionsLimit);
        Map<Long, MessageRecord> deletedBySeq = new HashMap<>();
        for (MessageRecord r : messages.findBySeqs(q.conversationId(),
                deletions.stream().map(OwnHistory.Hidden::seq).toList())) {
            deletedBySeq.put(r.seq(), r);
        }
        Set<Long> hiddenSeqs = changed.isEmpty() ? Set.of() : history.hiddenIn(q.uid(), q.conversationId(),
                changed.stream().mapToLong(MessageRecord::seq).min().orElse(0),
                changed.stream().mapToLong(MessageRecord::seq).max().orElse(0));
        // a message deleted after the cursor comes once, from the deletions, with the deletion's version
        Set<Long> deletedSince = new java.util.HashSet<>();
        deletions.forEach(h -> deletedSince.add(h.seq()));
        List<MessageRecord> merged = new ArrayList<>();
        for (MessageRecord r : changed) {
            if (!deletedSince.contains(r.seq())) {
                merged.add(hiddenSeqs.contains(r.seq()) ? Placeholders.deletedForViewer(r) : r);
            }
        }
        for (OwnHistory.Hidden h : deletions) {
            MessageRecord r = deletedBySeq.get(h.seq());
            if (r != null) {
                MessageRecord placeholder = Placeholders.deletedForViewer(r);
                merged.add(new MessageRecord(r.msgId(), r.conversationId(), r.conversationType(), r.seq(), h.version(),
                        r.senderUid(), r.senderDeviceId(), r.clientMsgId(), r.msgType(), placeholder.content(),
                        MessageRecord.STATUS_DELETED, r.serverTime()));
            }
        }
        merged.sort(Comparator.comparingLong(MessageRecord::version).thenComparingLong(MessageRecord::seq));
        // either source cut at limit + 1 may hide versions above its last: nothing at or above it is certain
        long bound = Long.MAX_VALUE;
        if (changed.size() > q.limit()) {
            bound = changed.get(changed.size() - 1).version();
        }
        if (deletions.size() >= deletionsLimit) {
            bound = Math.min(bound, deletions.get(deletions.size() - 1).version());
        }
        if (merged.size() > q.limit()) {
            // the cursor is "version > V": never split one version (one DELETE's seqs share it) across pages
            long next = merged.get(q.limit()).version();
            bound = Math.min(bound, next > merged.get(0).version() ? next : next + 1);
        }
        long newest = q.sinceVersion();
        for (MessageRecord r : merged) {
            if (r.version() >= bound) {
                break;
            }
            newest = Math.max(newest, r.version());
            if (r.seq() >= firstVisible && r.seq() <= lastVisible) { // outside: cleared, before the join, after a leave
                long messageTarget = ref instanceof ConversationRef.Single single ? single.peerOf(r.senderUid()) : target;
                ack.addMessages(PushTaskFactory.toMessage(r, messageTarget));
            }
        }
        boolean hasMore = bound != Long.MAX_VALUE;
        ack.setHasMore(hasMore).setVersion(cursor.next(q.sinceVersion(), newest, hasMore));
        return PushTaskFactory.reply(q.envelope(), Command.PULL_ACK, ack.build());
    }

    private long clearedSeq(QueryCommand.Pull q) {
        return conversations.find(q.uid(), q.conversationId()).map(Conversation::clearedSeq).orElse(0L);
    }

    private static OutgoingPush refuse(QueryCommand.Pull q, ErrorCode code, String message) {
        return PushTaskFactory.error(new Rejection(q.envelope(), code, message + "; nothing was pulled"));
    }
}
