package io.magpie.logic.internal;

import io.magpie.das.MessageRecord;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;

/**
 * What is left of a message that was recalled, or that its viewer deleted for themselves: its
 * identity and seq, a status saying why, and a content reduced to the message type (so a client can
 * still say "a photo was recalled"). Stateless.
 */
final class Placeholders {

    private Placeholders() {
    }

    /** {@code MessageContent{type}} bytes for a message of protocol type {@code msgType}. */
    static byte[] content(int msgType) {
        MessageType type = MessageType.forNumber(msgType);
        return MessageContent.newBuilder().setType(type == null ? MessageType.MESSAGE_TYPE_UNSPECIFIED : type).build()
                .toByteArray();
    }

    /** {@code r} as its viewer sees it after deleting it for themselves (status DELETED). */
    static MessageRecord deletedForViewer(MessageRecord r) {
        return new MessageRecord(r.msgId(), r.conversationId(), r.conversationType(), r.seq(), r.version(),
                r.senderUid(), r.senderDeviceId(), r.clientMsgId(), r.msgType(), content(r.msgType()),
                MessageRecord.STATUS_DELETED, r.serverTime());
    }
}
