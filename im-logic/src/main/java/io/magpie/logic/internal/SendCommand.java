package io.magpie.logic.internal;

import io.magpie.das.SenderClientKey;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A SEND that parsed and passed the input checks: who sent it (the gate's authenticated uid, never a
 * client field), where it came from (gate, connection, request id) and what it asks.
 *
 * @param envelope       the gate's envelope, identity and reply address
 * @param request        the client's SEND body
 * @param conversationId derived here from the authenticated uid and the target
 * @param type           {@link ConversationType#SINGLE} or {@link ConversationType#GROUP}
 * @param targetId       the peer uid (single) or the group id (group)
 * @param partition      the upstream partition the SEND was read from, whose fence guards its write;
 *                       {@link #NO_PARTITION} when it was not read from a partition (no fence)
 * @param rewritten      {@code request}'s content is not what the client sent (the word filter masked words): its
 *                       SEND_ACK carries the stored content
 */
public record SendCommand(UpstreamEnvelope envelope, SendRequest request, String conversationId,
                          ConversationType type, long targetId, int partition, boolean rewritten) {

    /** The SEND was not read from an upstream partition: its write is not fenced. */
    public static final int NO_PARTITION = -1;

    public SendCommand(UpstreamEnvelope envelope, SendRequest request, String conversationId, ConversationType type,
            long targetId) {
        this(envelope, request, conversationId, type, targetId, NO_PARTITION, false);
    }

    /** The same SEND with the content the server stores instead of the client's (SEND_ACK then carries it). */
    public SendCommand withStoredContent(io.magpie.protocol.proto.MessageContent content) {
        return new SendCommand(envelope, request.toBuilder().setContent(content).build(), conversationId, type,
                targetId, partition, true);
    }

    /** The same SEND, read from upstream partition {@code p}. */
    public SendCommand fromPartition(int p) {
        return new SendCommand(envelope, request, conversationId, type, targetId, p, rewritten);
    }

    public long senderUid() {
        return envelope.getUid();
    }

    public String clientMsgId() {
        return request.getClientMsgId();
    }

    public boolean isGroup() {
        return type == ConversationType.GROUP;
    }

    /** The other member of a one-to-one conversation. */
    public long peerUid() {
        if (isGroup()) {
            throw new IllegalStateException(conversationId + " is a group conversation: it has no peer");
        }
        return targetId;
    }

    /** The group of a group conversation. */
    public long groupId() {
        if (!isGroup()) {
            throw new IllegalStateException(conversationId + " is a one-to-one conversation: it has no group");
        }
        return targetId;
    }

    /** Identity of a send for deduplication: (sender uid, client message id). */
    public SenderClientKey key() {
        return new SenderClientKey(senderUid(), clientMsgId());
    }
}
