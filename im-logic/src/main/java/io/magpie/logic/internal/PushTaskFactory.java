package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.magpie.das.MessageRecord;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.Collection;

/**
 * Step 6: the push tasks of a stored message and of a refused request. Pure and stateless.
 * <ul>
 *   <li>SEND_ACK to exactly the sender's connection, with the SEND's request id;</li>
 *   <li>PUSH of the message to every connection of the peer (offline -> push notification) and
 *       to the sender's other connections (multi-device sync);</li>
 *   <li>PUSH of a group message to every member in one task (the sender's own connection excluded);</li>
 *   <li>ERROR to exactly the connection whose request was refused, and SYNC_ACK / PULL_ACK to
 *       exactly the connection that asked.</li>
 * </ul>
 */
public final class PushTaskFactory {

    /** Longest preview text carried for push notifications. */
    public static final int PREVIEW_CHARS = 64;

    private PushTaskFactory() {
    }

    /** The SEND_ACK for {@code sender}'s request; {@code record} may be an earlier stored copy. */
    public static OutgoingPush sendAck(UpstreamEnvelope sender, String clientMsgId, MessageRecord record) {
        return sendAck(sender, clientMsgId, record, false);
    }

    /**
     * @param withContent the stored content differs from what the client sent (masked words): the ack carries it
     *                    so the sender's client can replace its copy
     */
    public static OutgoingPush sendAck(UpstreamEnvelope sender, String clientMsgId, MessageRecord record,
            boolean withContent) {
        SendAck.Builder b = SendAck.newBuilder()
                .setClientMsgId(clientMsgId)
                .setConversationId(record.conversationId())
                .setMsgId(record.msgId())
                .setSeq(record.seq())
                .setServerTime(record.serverTime());
        if (withContent) {
            b.setContent(content(record));
        }
        SendAck ack = b.build();
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
        return new OutgoingPush(Long.toString(sender.getUid()), task, sender.getReceivedAtUs());
    }

    /**
     * The PUSH of a one-to-one message to the peer and to the sender's other connections; it carries the sender's
     * app id (the after-send hook's endpoint).
     */
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
                .setAppId(sender.getAppId())
                .build();
        return new OutgoingPush(record.conversationId(), task, sender.getReceivedAtUs());
    }

    /**
     * The PUSH of a group message: ONE task whose targets are every member (uid targets, the router
     * fans them out per gate); the sender's own connection is excluded, the sender's other devices
     * are not. A member without a route gets a push notification ({@code offline_notify}). Also the PUSH of the
     * SYSTEM message of a member's group change. Carries the sender's app id (the after-send hook's endpoint).
     */
    public static OutgoingPush groupPush(UpstreamEnvelope sender, MessageRecord record, Collection<Long> members) {
        long groupId = ConversationIds.groupIdOf(record.conversationId());
        Message message = toMessage(record, groupId);
        PushTask.Builder task = PushTask.newBuilder();
        boolean senderListed = false;
        for (long uid : members) {
            if (uid == record.senderUid()) {
                task.addTargets(senderTarget(sender, uid));
                senderListed = true;
            } else {
                task.addTargets(PushTarget.newBuilder().setUid(uid));
            }
        }
        if (!senderListed) {
            // a replayed message of a sender who left meanwhile: their other devices still hold the timeline
            task.addTargets(senderTarget(sender, record.senderUid()));
        }
        task.setCommand(Command.PUSH.code())
                .setBody(Push.newBuilder().addMessages(message).build().toByteString())
                .setOfflineNotify(true)
                .setConversationId(record.conversationId())
                .setMsgId(record.msgId())
                .setSeq(record.seq())
                .setSenderUid(record.senderUid())
                .setPreview(preview(message.getContent()))
                // the notifier's hook: a mentioned member's push notification says so
                .addAllMentionedUids(message.getContent().getMentionedUidsList())
                .setMentionAll(message.getContent().getMentionAll())
                // the after-send hook's endpoint: the app of the session that sent or changed the group
                .setAppId(sender.getAppId());
        return new OutgoingPush(record.conversationId(), task.build(), sender.getReceivedAtUs());
    }

    /**
     * The PUSH of a message the operator wrote (admin API: a SYSTEM message, a dismissal): to every device of
     * {@code uids} (uid 0, the operator, has none), nobody excluded since no connection sent it; members without a
     * route get a push notification. No app id: no session caused it.
     */
    public static OutgoingPush systemPush(MessageRecord record, Collection<Long> uids) {
        long targetId = ConversationIds.isGroup(record.conversationId())
                ? ConversationIds.groupIdOf(record.conversationId())
                : ConversationIds.peerOf(record.conversationId(), record.senderUid());
        Message message = toMessage(record, targetId);
        PushTask.Builder task = PushTask.newBuilder();
        for (long uid : uids) {
            if (uid > 0) {
                task.addTargets(PushTarget.newBuilder().setUid(uid));
            }
        }
        task.setCommand(Command.PUSH.code())
                .setBody(Push.newBuilder().addMessages(message).build().toByteString())
                .setOfflineNotify(true)
                .setConversationId(record.conversationId())
                .setMsgId(record.msgId())
                .setSeq(record.seq())
                .setSenderUid(record.senderUid())
                .setPreview(preview(message.getContent()));
        return new OutgoingPush(record.conversationId(), task.build());
    }

    /**
     * A NOTICE to every online device of {@code uids} except the connection {@code cause} came from
     * (null: none excepted). Keyed by the conversation, so it stays in order with the conversation's
     * pushes; never offline-notified (the state it announces is in SYNC and PULL).
     */
    public static OutgoingPush notice(Notice notice, Collection<Long> uids, UpstreamEnvelope cause) {
        PushTask.Builder task = PushTask.newBuilder()
                .setCommand(Command.NOTICE.code())
                .setBody(notice.toByteString())
                .setConversationId(notice.getConversationId());
        for (long uid : uids) {
            task.addTargets(cause != null && uid == cause.getUid() ? senderTarget(cause, uid)
                    : PushTarget.newBuilder().setUid(uid).build());
        }
        return new OutgoingPush(notice.getConversationId(), task.build());
    }

    /** The answer to a query ({@code SYNC_ACK}, {@code PULL_ACK}) to exactly the asking connection. */
    public static OutgoingPush reply(UpstreamEnvelope asker, Command command, MessageLite body) {
        PushTask task = PushTask.newBuilder()
                .addTargets(replyTarget(asker))
                .setCommand(command.code())
                .setRequestId(asker.getRequestId())
                .setBody(body.toByteString())
                .setSenderUid(asker.getUid())
                .build();
        return new OutgoingPush(Long.toString(asker.getUid()), task);
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
                        .setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, r.retryAfterMs()))
                        .build().toByteString())
                .setSenderUid(env.getUid())
                .build();
        return new OutgoingPush(Long.toString(env.getUid()), task);
    }

    /**
     * The client's view of a stored message.
     *
     * @param targetId the recipient uid (one-to-one, as the sender addressed it) or the group id
     */
    public static Message toMessage(MessageRecord r, long targetId) {
        MessageContent content = content(r);
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
                .addAllReactions(MessageChangeProcessor.reactions(r.reactions()))
                .setEditedAt(r.editedAt())
                .build();
    }

    /** A short text for a push notification: the text, or a placeholder naming the media type. */
    private static MessageContent content(MessageRecord r) {
        try {
            return MessageContent.parseFrom(r.content());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored content of message " + r.msgId() + " in " + r.conversationId()
                    + " is not a MessageContent", e);
        }
    }

    static String preview(MessageContent content) {
        String text = switch (content.getType()) {
            case TEXT, EMOJI -> content.getText();
            case IMAGE -> "[image]";
            case FILE -> "[file]";
            case AUDIO -> "[audio]";
            case VIDEO -> "[video]";
            case LOCATION -> "[location]";
            case SYSTEM -> content.hasSystemNotice() ? (content.getSystemNotice().getTitle().isEmpty()
                    ? content.getSystemNotice().getText() : content.getSystemNotice().getTitle()) : "[message]";
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

    private static PushTarget senderTarget(UpstreamEnvelope sender, long uid) {
        return PushTarget.newBuilder()
                .setUid(uid)
                .setExcludeGateId(sender.getGateId())
                .setExcludeConnectionId(sender.getConnectionId())
                .build();
    }

    private static PushTarget replyTarget(UpstreamEnvelope env) {
        return PushTarget.newBuilder()
                .setUid(env.getUid())
                .setGateId(env.getGateId())
                .setConnectionId(env.getConnectionId())
                .build();
    }
}
