package io.magpie.logic.internal;

import io.magpie.das.MessageRecord;
import io.magpie.idgen.ConversationSeqAllocator;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.MessageStatus;
import java.time.Clock;
import java.util.Collection;

/**
 * Step 5c: gives a new send its global message id (snowflake) and the next seq of its conversation.
 * Seqs come from a {@link ConversationSeqAllocator} loaded from MySQL; when a batch is not stored
 * the caller must {@link #rollback} its conversations so the next attempt reuses the same seqs and
 * no hole appears. Single-writer: used only by the upstream consumer's thread.
 */
public final class MessageAssigner {

    private final IdGenerator ids;
    private final ConversationSeqAllocator seqs;
    private final Clock clock;

    public MessageAssigner(IdGenerator ids, ConversationSeqAllocator seqs, Clock clock) {
        this.ids = ids;
        this.seqs = seqs;
        this.clock = clock;
    }

    /** The row to store for {@code c}; its version starts at its msg id (ids rise with time). */
    public MessageRecord assign(SendCommand c) {
        long msgId = ids.nextId();
        long seq = seqs.next(c.conversationId());
        MessageContent content = c.request().getContent();
        return new MessageRecord(msgId, c.conversationId(), c.type().getNumber(), seq, msgId,
                c.senderUid(), c.envelope().getDeviceId(), c.clientMsgId(), content.getTypeValue(),
                content.toByteArray(), MessageStatus.NORMAL_VALUE, clock.millis());
    }

    /**
     * The SYSTEM message recording a group change (GROUP request {@code c}): the next seq of the
     * group's timeline, the operator as its sender, the request's client msg id.
     */
    public MessageRecord assignSystem(GroupCommand c, MessageContent content) {
        return assignSystem(c.conversationId(), ConversationType.GROUP, c.operatorUid(), c.envelope().getDeviceId(),
                c.clientMsgId(), content);
    }

    /**
     * A SYSTEM message the server writes: the next seq of {@code conversationId}, sent by {@code senderUid}
     * (0: the service's operator) with {@code clientMsgId} as its dedupe key.
     */
    public MessageRecord assignSystem(String conversationId, ConversationType type, long senderUid, String deviceId,
            String clientMsgId, MessageContent content) {
        long msgId = ids.nextId();
        long seq = seqs.next(conversationId);
        return new MessageRecord(msgId, conversationId, type.getNumber(), seq, msgId, senderUid, deviceId,
                clientMsgId, MessageType.SYSTEM_VALUE, content.toByteArray(), MessageStatus.NORMAL_VALUE,
                clock.millis());
    }

    /** Forgets the cached seqs of {@code conversationIds}; the next {@link #assign} reloads from MySQL. */
    public void rollback(Collection<String> conversationIds) {
        for (String id : conversationIds) {
            seqs.rollback(id);
        }
    }

    /** Forgets every cached seq (after a partition moved to another owner). */
    public void clear() {
        seqs.clear();
    }
}
