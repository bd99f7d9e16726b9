package io.magpie.logic.internal;

import io.magpie.das.Conversation;
import io.magpie.das.ConversationRepository;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupRepository;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.OwnHistory;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.PullAck;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Step 9, PULL: a page of one conversation's messages by seq range, the oldest of the range first, or
 * its newest when paging backwards through history. Messages the caller deleted for themselves come
 * as placeholders (status DELETED), so seqs stay gapless. Only a member may pull (a
 * one-to-one conversation's two users, a group's members), and never below what the caller may
 * see: after their cleared seq, and in a group from their join seq. Blocking JDBC on the consumer
 * thread; stateless, thread-safe.
 */
public final class PullHandler {

    private final MessageRepository messages;
    private final ConversationRepository conversations;
    private final GroupRepository groups;
    private final OwnHistory history;

    public PullHandler(MessageRepository messages, ConversationRepository conversations, GroupRepository groups,
            OwnHistory history) {
        this.messages = messages;
        this.conversations = conversations;
        this.groups = groups;
        this.history = history;
    }

    /** @throws io.magpie.registry.StorageException when MySQL could not answer */
    public OutgoingPush answer(QueryCommand.Pull q) {
        Optional<ConversationRef> ref = ConversationRef.parse(q.conversationId());
        if (ref.isEmpty()) {
            return refuse(q, ErrorCode.BAD_REQUEST, "conversation_id '" + q.conversationId()
                    + "' is not s_<uid>_<uid> or g_<group id>");
        }
        long firstVisible;
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
            if (member.isEmpty()) {
                return refuse(q, ErrorCode.FORBIDDEN, "uid " + q.uid() + " is not a member of group " + gid);
            }
            GroupMember m = member.get();
            firstVisible = Math.max(m.joinSeq(), Math.max(m.clearedSeq(), clearedSeq(q)) + 1);
            target = gid;
        }
        PullAck.Builder ack = PullAck.newBuilder().setConversationId(q.conversationId());
        long from = Math.max(q.fromSeq(), firstVisible);
        if (from <= q.toSeq()) {
            List<MessageRecord> found = q.backward()
                    ? messages.findRangeNewest(q.conversationId(), from, q.toSeq(), q.limit() + 1)
                    : messages.findRange(q.conversationId(), from, q.toSeq(), q.limit() + 1);
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

    private long clearedSeq(QueryCommand.Pull q) {
        return conversations.find(q.uid(), q.conversationId()).map(Conversation::clearedSeq).orElse(0L);
    }

    private static OutgoingPush refuse(QueryCommand.Pull q, ErrorCode code, String message) {
        return PushTaskFactory.error(new Rejection(q.envelope(), code, message + "; nothing was pulled"));
    }
}
