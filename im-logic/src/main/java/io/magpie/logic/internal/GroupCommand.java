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

    /** Where the admin API's envelopes say they come from (no gate, no connection). */
    public static final String ADMIN_SOURCE = "admin-api";

    /**
     * The operator's change of {@code request}'s group from the admin API: uid 0 (never a user's: the parser
     * refuses gate envelopes without an authenticated uid), no connection to answer.
     */
    public static GroupCommand byOperator(GroupRequest request, int partition) {
        return new GroupCommand(UpstreamEnvelope.newBuilder().setGateId(ADMIN_SOURCE).setUid(0)
                .setConversationId(ConversationIds.group(request.getGroupId())).build(), request, partition);
    }

    /** Whether the service's operator asks (admin API), not a member: uid 0, answered in the log only. */
    public boolean byOperator() {
        return envelope.getUid() == 0;
    }

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
