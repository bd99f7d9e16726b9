package io.magpie.logic.internal;

import io.magpie.das.SenderClientKey;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A GROUP request that parsed and passed the input checks: who asks (the gate's authenticated uid,
 * never a client field), where it came from and which change of which group it asks for.
 *
 * @param envelope  the gate's envelope, identity and reply address
 * @param request   the client's GROUP body
 * @param partition the upstream partition it was read from (its fence guards the write), or
 *                  {@link SendCommand#NO_PARTITION}
 */
public record GroupCommand(UpstreamEnvelope envelope, GroupRequest request, int partition) {

    public GroupCommand fromPartition(int p) {
        return new GroupCommand(envelope, request, p);
    }

    public long operatorUid() {
        return envelope.getUid();
    }

    public long groupId() {
        return request.getGroupId();
    }

    public String conversationId() {
        return ConversationIds.group(request.getGroupId());
    }

    public String clientMsgId() {
        return request.getClientMsgId();
    }

    public GroupRequest.OpCase op() {
        return request.getOpCase();
    }

    /** Identity for deduplication, shared with SENDs: (operator uid, client message id). */
    public SenderClientKey key() {
        return new SenderClientKey(operatorUid(), clientMsgId());
    }
}
