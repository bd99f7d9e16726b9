package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.MessageRecord;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * Step 6: the push tasks of a stored message and of a refused request. Pure and stateless.
 * <ul>
 *   <li>SEND_ACK to exactly the sender's connection, with the SEND's request id;</li>
 *   <li>PUSH of the message to every connection of the peer (offline -> push notification) and
 *       to the sender's other connections (multi-device sync);</li>
 *   <li>ERROR to exactly the connection whose request was refused.</li>
 * </ul>
 */
public final class PushTaskFactory {

    /** Longest preview text carried for push notifications. */
    public static final int PREVIEW_CHARS = 64;

    private PushTaskFactory() {
    }

    /** The SEND_ACK for {@code sender}'s request; {@code record} may be an earlier stored copy. */
    public static OutgoingPush sendAck(UpstreamEnvelope sender, String clientMsgId, MessageRecord record) {
        SendAck ack = SendAck.newBuilder()
                .setClientMsgId(clientMsgId)
                .setConversationId(record.conversationId())
                .setMsgId(record.msgId())
                .setSeq(record.seq())
                .setServerTime(record.serverTime())
                .build();
        PushTask task = PushTask.newBuilder()
                .addTargets(replyTarget(sender))
                .setCommand(Command.SEND_ACK.code())
                .setRequestId(sender.getRequestId())
                .setBody(ack.toByteString())
                .setConversationId(record.conversationId())
                .setMsgId(record.msgId())
                .setSeq(record.seq())
                .setSenderUid(record.senderUid())
                .build();
        return new OutgoingPush(Long.toString(sender.getUid()), task);
    }

    /** The PUSH of a one-to-one message to the peer and to the sender's other connections. */
    public static OutgoingPush push(UpstreamEnvelope sender, MessageRecord record) {
        long peer = ConversationIds.peerOf(record.conversationId(), record.senderUid());
        Message message = toMessage(record, peer);
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(peer))
                .addTargets(PushTarget.newBuilder()
                        .setUid(record.senderUid())
                        .setExcludeGateId(sender.getGateId())
                        .setExcludeConnectionId(sender.getConnectionId()))
                .setCommand(Command.PUSH.code())
                .setBody(Push.newBuilder().addMessages(message).build().toByteString())
                .setOfflineNotify(true)
                .setConversationId(record.conversationId())
                .setMsgId(record.msgId())
                .setSeq(record.seq())
                .setSenderUid(record.senderUid())
                .setPreview(preview(message.getContent()))
                .build();
        return new OutgoingPush(record.conversationId(), task);
    }

    /** The ERROR answering a refused request. */
    public static OutgoingPush error(Rejection r) {
        UpstreamEnvelope env = r.envelope();
        PushTask task = PushTask.newBuilder()
                .addTargets(replyTarget(env))
                .setCommand(Command.ERROR.code())
                .setRequestId(env.getRequestId())
                .setBody(io.magpie.protocol.proto.Error.newBuilder()
                        .setCode(r.code().code())
                        .setMessage(r.message())
                        .setCommand(env.getCommand())
                        .setRetryable(r.code().retryable())
                        .build().toByteString())
                .setSenderUid(env.getUid())
                .build();
        return new OutgoingPush(Long.toString(env.getUid()), task);
    }

    /** The client's view of a stored one-to-one message. */
    public static Message toMessage(MessageRecord r, long targetId) {
        MessageContent content;
        try {
            content = MessageContent.parseFrom(r.content());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored content of message " + r.msgId() + " in " + r.conversationId()
                    + " is not a MessageContent", e);
        }
        return Message.newBuilder()
                .setMsgId(r.msgId())
                .setConversationId(r.conversationId())
                .setConversationTypeValue(r.conversationType())
                .setSeq(r.seq())
                .setSenderUid(r.senderUid())
                .setSenderDeviceId(r.senderDeviceId())
                .setClientMsgId(r.clientMsgId())
                .setContent(content)
                .setServerTime(r.serverTime())
                .setVersion(r.version())
                .setTargetId(targetId)
                .setStatusValue(r.status())
                .build();
    }

    /** A short text for a push notification: the text, or a placeholder naming the media type. */
    static String preview(MessageContent content) {
        String text = switch (content.getType()) {
            case TEXT, EMOJI -> content.getText();
            case IMAGE -> "[image]";
            case FILE -> "[file]";
            case AUDIO -> "[audio]";
            case VIDEO -> "[video]";
            default -> "[message]";
        };
        if (text.length() <= PREVIEW_CHARS) {
            return text;
        }
        int end = PREVIEW_CHARS;
        // do not cut a surrogate pair in half
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    private static PushTarget replyTarget(UpstreamEnvelope env) {
        return PushTarget.newBuilder()
                .setUid(env.getUid())
                .setGateId(env.getGateId())
                .setConnectionId(env.getConnectionId())
                .build();
    }
}
