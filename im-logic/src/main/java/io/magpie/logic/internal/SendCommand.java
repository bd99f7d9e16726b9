package io.magpie.logic.internal;

import io.magpie.das.SenderClientKey;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A SEND that parsed and passed the input checks: who sent it (the gate's authenticated uid, never a
 * client field), where it came from (gate, connection, request id) and what it asks.
 *
 * @param envelope       the gate's envelope, identity and reply address
 * @param request        the client's SEND body
 * @param conversationId derived here from the authenticated uid and the target
 * @param peerUid        the other member of the one-to-one conversation
 */
public record SendCommand(UpstreamEnvelope envelope, SendRequest request, String conversationId, long peerUid) {

    public long senderUid() {
        return envelope.getUid();
    }

    public String clientMsgId() {
        return request.getClientMsgId();
    }

    /** Identity of a send for deduplication: (sender uid, client message id). */
    public SenderClientKey key() {
        return new SenderClientKey(senderUid(), clientMsgId());
    }
}
