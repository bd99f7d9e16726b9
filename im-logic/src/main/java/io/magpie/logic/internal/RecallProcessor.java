package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupRepository;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecalls;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.registry.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RECALLs, one by one (they are rare): the sender may recall their own message within the recall
 * window, a group's owner or admins any message of the group at any time. The message becomes a
 * placeholder ({@link MessageRecalls}: status RECALLED, content reduced to its type, a new version,
 * every member's row versioned), and every member's devices get
 * a {@code NOTICE_RECALLED}; the request gets RECALL_ACK with the message's new version. Recalling a
 * recalled message is acknowledged again with nothing changed. Not thread-safe: the upstream
 * consumer's thread.
 */
public final class RecallProcessor {

    private static final Logger log = LoggerFactory.getLogger(RecallProcessor.class);

    private final MessageRepository messages;
    /** A stable reference to an upload of this server (docs/PROTOCOL.md §1.3). */
    private static final java.util.regex.Pattern UPLOAD_URL = java.util.regex.Pattern.compile(
            "/v1/media/([A-Za-z0-9_-]{1,32})");

    private final MessageRecalls recalls;
    private final GroupRepository groups;
    private final IdGenerator versions;
    private final Duration window;
    private final Clock clock;

    /**
     * @param versions snowflake ids: the message's and rows' new version
     * @param window   how long after sending a sender may recall
     */
    public RecallProcessor(MessageRepository messages, MessageRecalls recalls, GroupRepository groups,
            IdGenerator versions, Duration window, Clock clock) {
        this.messages = messages;
        this.recalls = recalls;
        this.groups = groups;
        this.versions = versions;
        this.window = window;
        this.clock = clock;
    }

    /**
     * @return the answers and notices to publish, in request order
     * @throws StorageException when MySQL failed (the recalls already done are durable and answer the same on replay)
     */
    public List<OutgoingPush> process(List<ActionCommand.Recall> requests) {
        List<OutgoingPush> out = new ArrayList<>();
        for (ActionCommand.Recall r : requests) {
            out.addAll(recall(r));
        }
        return out;
    }

    private List<OutgoingPush> recall(ActionCommand.Recall r) {
        String conversationId = r.conversation().id();
        List<MessageRecord> found = messages.findRange(conversationId, r.seq(), r.seq(), 1);
        if (found.isEmpty()) {
            return refuse(r, ErrorCode.NOT_FOUND, "there is no message at seq " + r.seq() + " in " + conversationId);
        }
        MessageRecord message = found.get(0);
        if (message.msgType() == io.magpie.protocol.proto.MessageType.SYSTEM_VALUE) {
            // the group's history of changes is the same for every member, and an operator's notice is the
            // operator's: neither is rewritten by a member
            return refuse(r, ErrorCode.FORBIDDEN, "the message at seq " + r.seq() + " is a SYSTEM message ("
                    + (GroupOpProcessor.recordsGroupChange(message) ? "a change of the group" : "the operator's notice")
                    + "); only messages users sent can be recalled");
        }
        long groupId = 0;
        List<Long> members;
        boolean moderator = false;
        if (r.conversation() instanceof ConversationRef.Group g) {
            groupId = g.groupId();
            Optional<GroupMember> member = groups.member(groupId, r.uid());
            if (member.isEmpty()) {
                return refuse(r, ErrorCode.FORBIDDEN, "uid " + r.uid() + " is not a member of group " + groupId);
            }
            moderator = member.get().role() >= GroupMember.ROLE_ADMIN;
            members = groups.roster(groupId).map(GroupRoster::memberUids).map(List::copyOf).orElse(List.of());
        } else {
            ConversationRef.Single single = (ConversationRef.Single) r.conversation();
            members = List.of(single.lowUid(), single.highUid());
        }
        if (!moderator) {
            if (message.senderUid() != r.uid()) {
                return refuse(r, ErrorCode.FORBIDDEN, "only the sender may recall the message at seq " + r.seq()
                        + " of " + conversationId + (groupId > 0 ? " (or an owner or admin of the group)" : ""));
            }
            long age = clock.millis() - message.serverTime();
            if (age > window.toMillis()) {
                return refuse(r, ErrorCode.RECALL_WINDOW_PASSED, "the message at seq " + r.seq() + " of "
                        + conversationId + " was sent " + Duration.ofMillis(age).toSeconds() + " s ago; a sender may"
                        + " recall for " + window.toSeconds() + " s (logic.recall-window)");
            }
        }
        if (message.status() == MessageRecord.STATUS_RECALLED) {
            return List.of(ack(r, message.version()));
        }
        long version = versions.nextId();
        byte[] placeholder = Placeholders.content(message.msgType());
        List<MessageRecalls.Rewrite> replies = repliesTo(message);
        if (!recalls.recall(message, placeholder, version, replies, groupId,
                groupId > 0 ? 0 : ((ConversationRef.Single) r.conversation()).peerOf(message.senderUid()),
                uploadOf(message))) {
            // recalled meanwhile by another request: answer with what is stored
            return List.of(ack(r, messages.findRange(conversationId, r.seq(), r.seq(), 1).get(0).version()));
        }
        LogIdentity.sender(log.atInfo(), r.uid(), r.envelope().getDeviceId(), conversationId)
                .log("[uid {}, device {}, conversation {}] recalled message {} (seq {}, sent by {})", r.uid(),
                r.envelope().getDeviceId(), conversationId, message.msgId(), message.seq(), message.senderUid());
        return List.of(ack(r, version), PushTaskFactory.notice(Notice.newBuilder().setType(NoticeType.NOTICE_RECALLED)
                .setConversationId(conversationId).setSeq(message.seq()).setUid(r.uid()).setVersion(version)
                .setMsgId(message.msgId()).setSenderUid(message.senderUid()).build(), members, r.envelope()));
    }

    /**
     * The operator deletes the message at {@code seq} of {@code conversation} for everyone (admin API): a recall
     * without the window and the membership, announced by {@code NOTICE_RECALLED} with uid 0 (the operator).
     * Nothing is answered: the API reads the outcome from MySQL. A missing message, a group change, or a message
     * recalled already change nothing (logged).
     *
     * @throws StorageException when MySQL failed (a replay finds the message recalled and changes nothing)
     */
    public List<OutgoingPush> recallByOperator(ConversationRef conversation, long seq) {
        String conversationId = conversation.id();
        List<MessageRecord> found = messages.findRange(conversationId, seq, seq, 1);
        if (found.isEmpty() || found.get(0).msgType() == io.magpie.protocol.proto.MessageType.SYSTEM_VALUE
                && GroupOpProcessor.recordsGroupChange(found.get(0))
                || found.get(0).status() == MessageRecord.STATUS_RECALLED) {
            LogIdentity.conversation(log.atWarn(), conversationId).log("[conversation {}] the operator's delete of seq"
                    + " {} changes nothing: {}", conversationId, seq, found.isEmpty() ? "no such message"
                    : found.get(0).status() == MessageRecord.STATUS_RECALLED ? "deleted already"
                    : "it records a change of the group");
            return List.of();
        }
        MessageRecord message = found.get(0);
        long groupId = 0;
        List<Long> members;
        long peer = 0;
        if (conversation instanceof ConversationRef.Group g) {
            groupId = g.groupId();
            members = groups.roster(groupId).map(GroupRoster::memberUids).map(List::copyOf).orElse(List.of());
        } else {
            ConversationRef.Single single = (ConversationRef.Single) conversation;
            members = List.of(single.lowUid(), single.highUid());
            peer = single.peerOf(message.senderUid());
        }
        long version = versions.nextId();
        if (!recalls.recall(message, Placeholders.content(message.msgType()), version, repliesTo(message), groupId,
                peer, uploadOf(message))) {
            return List.of(); // recalled meanwhile
        }
        LogIdentity.conversation(log.atInfo(), conversationId).log("[conversation {}] the operator deleted message {}"
                + " (seq {}, sent by {}) for everyone", conversationId, message.msgId(), seq, message.senderUid());
        return List.of(PushTaskFactory.notice(Notice.newBuilder().setType(NoticeType.NOTICE_RECALLED)
                .setConversationId(conversationId).setSeq(seq).setUid(0).setVersion(version)
                .setMsgId(message.msgId()).setSenderUid(message.senderUid()).build(), members, null));
    }

    /**
     * The media id of the upload {@code message} carries ({@code MediaInfo.url} = {@code /v1/media/<id>}, §1.3), to
     * delete with it; null for none, an external URL, or content that does not parse (the recall goes ahead).
     */
    static String uploadOf(MessageRecord message) {
        MessageContent content;
        try {
            content = MessageContent.parseFrom(message.content());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return null;
        }
        return uploadOf(content);
    }

    /** The media id of the upload {@code content} references, or null. */
    static String uploadOf(MessageContent content) {
        if (!content.hasMedia()) {
            return null;
        }
        java.util.regex.Matcher m = UPLOAD_URL.matcher(content.getMedia().getUrl());
        return m.matches() ? m.group(1) : null;
    }

    /**
     * The replies quoting {@code message}, their reference marked recalled (the quoted text goes with the
     * message), each with its own new version so a since_version PULL returns them. Replies are rare: one query.
     */
    private List<MessageRecalls.Rewrite> repliesTo(MessageRecord message) {
        List<MessageRecalls.Rewrite> rewrites = new ArrayList<>();
        for (MessageRecord reply : messages.findReplies(message.conversationId(), message.seq())) {
            if (reply.status() != MessageRecord.STATUS_NORMAL) {
                continue;
            }
            MessageContent content;
            try {
                content = MessageContent.parseFrom(reply.content());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("[conversation " + reply.conversationId() + "] the stored content of"
                        + " reply " + reply.msgId() + " (seq " + reply.seq() + ") is not a MessageContent", e);
            }
            if (!content.hasReplyTo() || content.getReplyTo().getRecalled()) {
                continue;
            }
            byte[] rewritten = content.toBuilder().setReplyTo(ReplyResolver.recalled(content.getReplyTo())).build()
                    .toByteArray();
            rewrites.add(new MessageRecalls.Rewrite(reply.msgId(), rewritten, versions.nextId()));
        }
        return rewrites;
    }

    private static OutgoingPush ack(ActionCommand.Recall r, long version) {
        return PushTaskFactory.reply(r.envelope(), Command.RECALL_ACK, ActionAck.newBuilder()
                .setConversationId(r.conversation().id()).setVersion(version).build());
    }

    private static List<OutgoingPush> refuse(ActionCommand.Recall r, ErrorCode code, String message) {
        return List.of(PushTaskFactory.error(new Rejection(r.envelope(), code, message + "; nothing was recalled")));
    }
}
