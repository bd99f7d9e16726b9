package io.magpie.das.internal;

import com.google.protobuf.CodedOutputStream;
import io.magpie.das.MessageRecord;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns a stored {@link MessageRecord} into the protobuf {@code Message} bytes clients receive.
 * The stored {@code MessageContent} bytes are copied in as field {@code content} without being
 * parsed (an embedded message is a length-delimited field on the wire).
 */
public final class TimelineEncoding {

    private TimelineEncoding() {
    }

    public static byte[] encode(MessageRecord record) {
        Message head = Message.newBuilder()
                .setMsgId(record.msgId())
                .setConversationId(record.conversationId())
                .setConversationTypeValue(record.conversationType())
                .setSeq(record.seq())
                .setSenderUid(record.senderUid())
                .setSenderDeviceId(record.senderDeviceId())
                .setClientMsgId(record.clientMsgId())
                .setServerTime(record.serverTime())
                .setVersion(record.version())
                .setTargetId(targetId(record))
                .setStatusValue(record.status())
                .build();
        byte[] content = record.content();
        byte[] out = new byte[head.getSerializedSize()
                + CodedOutputStream.computeByteArraySize(Message.CONTENT_FIELD_NUMBER, content)];
        try {
            CodedOutputStream output = CodedOutputStream.newInstance(out);
            head.writeTo(output);
            output.writeByteArray(Message.CONTENT_FIELD_NUMBER, content);
            output.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding message " + record.msgId() + " into an exact-size array", e);
        }
        return out;
    }

    /** The recipient as the sender addressed it: the peer uid (single) or the group id (group). */
    static long targetId(MessageRecord record) {
        if (record.conversationType() == ConversationType.SINGLE_VALUE) {
            return ConversationIds.peerOf(record.conversationId(), record.senderUid());
        }
        if (record.conversationType() == ConversationType.GROUP_VALUE) {
            return ConversationIds.groupIdOf(record.conversationId());
        }
        throw new IllegalArgumentException("message " + record.msgId() + " of " + record.conversationId()
                + " has unknown conversation type " + record.conversationType());
    }
}
