package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.UserRestrictions.Restriction;
import io.magpie.das.GroupRepository;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageChanges;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.idgen.IdGenerator;
import io.magpie.logic.MessageChangeSettings;
import io.magpie.logic.WordFilterConfig;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.EditAck;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.ReactAck;
import io.magpie.protocol.proto.ReactionCount;
import io.magpie.protocol.proto.ReactionCounts;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.registry.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REACTs and EDITs, one by one (docs/PROTOCOL.md §9.21, §9.22): each changes one stored message of a conversation
 * the caller sees, gives it a new version (every member's row moves with it) and sends the members' other devices a
 * NOTICE carrying the message as it now is. A reaction is one emoji per user per message, at most
 * {@link MessageChangeSettings#maxReactionEmoji()} distinct per message; an edit is the sender's, within
 * {@link MessageChangeSettings#editWindow()}, of the message's own type, checked and filtered as a SEND's content
 * is, its reply reference and mentions kept as stored. Not thread-safe: the upstream consumer's thread.
 */
public final class MessageChangeProcessor {

    private static final Logger log = LoggerFactory.getLogger(MessageChangeProcessor.class);
    /** Most uids an aggregate names per emoji. */
    static final int MAX_UIDS_PER_EMOJI = 20;

    private final MessageRepository messages;
    private final MessageChanges changes;
    private final GroupRepository groups;
    private final IdGenerator versions;
    private final MessageChangeSettings settings;
    private final ContentValidator content;
    private final WordFilter words;
    private final GroupAuthorizer groupAuthorizer;
    private final SenderMutes mutes;
    private final Clock clock;

    /** @param words the sensitive-word filter, or null for none */
    public MessageChangeProcessor(MessageRepository messages, MessageChanges changes, GroupRepository groups,
            IdGenerator versions, MessageChangeSettings settings, ContentValidator content, WordFilter words,
            Clock clock) {
        this(messages, changes, groups, versions, settings, content, words, SenderMutes.none(), clock);
    }

    /**
     * @param words the sensitive-word filter, or null for none
     * @param mutes the operator's mutes: a muted user may not EDIT (new content, as a SEND is); shared with the
     *              SEND path of the same thread
     */
    public MessageChangeProcessor(MessageRepository messages, MessageChanges changes, GroupRepository groups,
            IdGenerator versions, MessageChangeSettings settings, ContentValidator content, WordFilter words,
            SenderMutes mutes, Clock clock) {
        this.mutes = mutes;
        this.messages = messages;
        this.changes = changes;
        this.groups = groups;
        this.versions = versions;
        this.settings = settings;
        this.content = content;
        this.words = words;
        this.groupAuthorizer = new GroupAuthorizer(clock);
        this.clock = clock;
    }

    /**
     * @return the answer and notice of {@code c}, a {@link ActionCommand.React} or {@link ActionCommand.Edit}
     * @throws StorageException when MySQL failed (a change already made is durable and answers the same on replay)
     */
    public List<OutgoingPush> process(ActionCommand c) {
        if (c instanceof ActionCommand.React r) {
            return react(r);
        }
        if (c instanceof ActionCommand.Edit e) {
            return edit(e);
        }
        throw new IllegalArgumentException(c.getClass().getSimpleName() + " is not a REACT or EDIT");
    }

    private List<OutgoingPush> react(ActionCommand.React r) {
        Target t = target(r);
        if (t.refusal != null) {
            return List.of(t.refusal);
        }
        MessageRecord m = t.message;
        long version = versions.nextId();
        MessageChanges.ReactOutcome outcome = changes.react(m, r.uid(), r.emoji(), settings.maxReactionEmoji(),
                version, MessageChangeProcessor::aggregate, t.groupId, t.peerUid, clock.millis());
        if (outcome instanceof MessageChanges.TooManyEmoji too) {
            return refuse(r, ErrorCode.REACTION_LIMIT, "the message at seq " + r.seq() + " of " + m.conversationId()
                    + " already carries " + too.distinct() + " distinct emoji, the most a message may"
                    + " (logic.max-reaction-emoji=" + settings.maxReactionEmoji() + "); react with one of them");
        }
        if (outcome instanceof MessageChanges.Unchanged) {
            return List.of(reactAck(r, m.version(), m.reactions()));
        }
        MessageChanges.Reacted done = (MessageChanges.Reacted) outcome;
        MessageRecord now = new MessageRecord(m.msgId(), m.conversationId(), m.conversationType(), m.seq(),
                done.version(), m.senderUid(), m.senderDeviceId(), m.clientMsgId(), m.msgType(), m.content(),
                m.status(), m.serverTime(), done.aggregate(), m.editedAt());
        return List.of(reactAck(r, done.version(), done.aggregate()), notice(r, NoticeType.NOTICE_REACTED, now, t));
    }

    private List<OutgoingPush> edit(ActionCommand.Edit e) {
        Target t = target(e);
        if (t.refusal != null) {
            return List.of(t.refusal);
        }
        MessageRecord m = t.message;
        if (m.senderUid() != e.uid()) {
            return refuse(e, ErrorCode.FORBIDDEN, "only the sender may edit the message at seq " + e.seq() + " of "
                    + m.conversationId());
        }
        Optional<Restriction> mute = mutes.activeMute(e.uid());
        if (mute.isPresent()) {
            return refuse(e, ErrorCode.MUTED, SenderMutes.message(mute.get(), "no edits while muted"));
        }
        long age = clock.millis() - m.serverTime();
        if (age > settings.editWindow().toMillis()) {
            return refuse(e, ErrorCode.EDIT_WINDOW_PASSED, "the message at seq " + e.seq() + " of "
                    + m.conversationId() + " was sent " + Duration.ofMillis(age).toSeconds() + " s ago; a sender may"
                    + " edit for " + settings.editWindow().toSeconds() + " s (logic.edit-window)");
        }
        MessageContent stored = parse(m);
        MessageContent asked = e.content();
        if (asked.getType() != stored.getType()) {
            return refuse(e, ErrorCode.BAD_REQUEST, "content.type must stay " + stored.getType() + " in an EDIT, got "
                    + asked.getType());
        }
        // an upload belongs to its message (a recall deletes it): an edit may change the caption, not the media
        if (RecallProcessor.uploadOf(stored) != null && !stored.getMedia().getUrl().equals(asked.getMedia().getUrl())) {
            return refuse(e, ErrorCode.BAD_REQUEST, "content.media.url must stay " + stored.getMedia().getUrl()
                    + " in an EDIT (an uploaded file belongs to its message), got '" + asked.getMedia().getUrl()
                    + "'; send a new message for other media");
        }
        // the reference and the mentions are the message's, not the edit's: checked and notified once, at SEND
        MessageContent.Builder next = asked.toBuilder().clearReplyTo().clearMentionedUids().clearMentionAll();
        String bad = content.problem(next.build());
        if (bad != null) {
            return refuse(e, ErrorCode.BAD_REQUEST, bad);
        }
        if (words != null && !next.getText().isEmpty()) {
            if (words.action() == WordFilterConfig.Action.REJECT) {
                int[] hit = words.firstMatch(next.getText());
                if (hit != null) {
                    return refuse(e, ErrorCode.CONTENT_REJECTED, "content.text contains a word the operator's filter"
                            + " list refuses (characters " + hit[0] + "-" + (hit[1] - 1) + "): change the text");
                }
            } else {
                next.setText(words.masked(next.getText()));
            }
        }
        if (stored.hasReplyTo()) {
            next.setReplyTo(stored.getReplyTo());
        }
        next.addAllMentionedUids(stored.getMentionedUidsList()).setMentionAll(stored.getMentionAll());
        MessageContent edited = next.build();
        if (t.groupId > 0) {
            // a member muted or removed since may not change what the group reads, as they may not SEND
            SendCommand asSend = new SendCommand(e.envelope(), SendRequest.newBuilder().setClientMsgId(m.clientMsgId())
                    .setConversationType(ConversationType.GROUP).setTargetId(t.groupId).setContent(edited).build(),
                    m.conversationId(), ConversationType.GROUP, t.groupId);
            Optional<Rejection> refused = groupAuthorizer.check(asSend, Optional.ofNullable(t.roster));
            if (refused.isPresent()) {
                return List.of(PushTaskFactory.error(new Rejection(e.envelope(), refused.get().code(),
                        refused.get().message() + "; nothing was edited")));
            }
        }
        long version = versions.nextId();
        long editedAt = clock.millis();
        byte[] bytes = edited.toByteArray();
        if (!changes.edit(m, bytes, version, editedAt, t.groupId, t.peerUid)) {
            return refuse(e, ErrorCode.NOT_FOUND, "the message at seq " + e.seq() + " of " + m.conversationId()
                    + " was recalled or changed meanwhile; PULL it and edit again");
        }
        LogIdentity.sender(log.atInfo(), e.uid(), e.envelope().getDeviceId(), m.conversationId())
                .log("[uid {}, device {}, conversation {}] edited message {} (seq {})", e.uid(),
                        e.envelope().getDeviceId(), m.conversationId(), m.msgId(), m.seq());
        MessageRecord now = new MessageRecord(m.msgId(), m.conversationId(), m.conversationType(), m.seq(), version,
                m.senderUid(), m.senderDeviceId(), m.clientMsgId(), m.msgType(), bytes, m.status(), m.serverTime(),
                m.reactions(), editedAt);
        OutgoingPush ack = PushTaskFactory.reply(e.envelope(), Command.EDIT_ACK, EditAck.newBuilder()
                .setConversationId(m.conversationId()).setSeq(m.seq()).setVersion(version).setEditedAt(editedAt)
                .setContent(edited).build());
        return List.of(ack, notice(e, NoticeType.NOTICE_EDITED, now, t));
    }

    /** The message a REACT or EDIT names and who sees it, or why the caller may not change it. */
    private Target target(ActionCommand c) {
        long seq = c instanceof ActionCommand.React r ? r.seq() : ((ActionCommand.Edit) c).seq();
        String conversationId = c.conversation().id();
        String verb = c instanceof ActionCommand.React ? "react to" : "edit";
        List<MessageRecord> found = messages.findRange(conversationId, seq, seq, 1);
        if (found.isEmpty()) {
            return Target.refused(refusal(c, ErrorCode.NOT_FOUND, "there is no message at seq " + seq + " in "
                    + conversationId));
        }
        MessageRecord m = found.get(0);
        if (m.msgType() == MessageType.SYSTEM_VALUE || m.status() != MessageRecord.STATUS_NORMAL) {
            return Target.refused(refusal(c, ErrorCode.FORBIDDEN, "the message at seq " + seq + " of " + conversationId
                    + (m.status() == MessageRecord.STATUS_RECALLED ? " was recalled" : " is a SYSTEM message")
                    + "; you cannot " + verb + " it"));
        }
        if (c.conversation() instanceof ConversationRef.Group g) {
            GroupRoster roster = groups.roster(g.groupId()).orElse(null);
            if (roster == null || !roster.membersAt(seq).contains(c.uid())) {
                return Target.refused(refusal(c, ErrorCode.FORBIDDEN, "uid " + c.uid() + " does not see seq " + seq
                        + " of group " + g.groupId() + " (not a member, or joined after it)"));
            }
            return new Target(m, g.groupId(), 0, roster, roster.membersAt(seq), null);
        }
        ConversationRef.Single single = (ConversationRef.Single) c.conversation();
        return new Target(m, 0, single.peerOf(m.senderUid()), null, Set.of(single.lowUid(), single.highUid()), null);
    }

    private record Target(MessageRecord message, long groupId, long peerUid, GroupRoster roster, Set<Long> members,
                          OutgoingPush refusal) {
        static Target refused(OutgoingPush refusal) {
            return new Target(null, 0, 0, null, Set.of(), refusal);
        }
    }

    /** The stored aggregate of {@code reactions} (oldest first): per emoji in first-use order, its first uids. */
    static byte[] aggregate(List<MessageChanges.Reaction> reactions) {
        Map<String, ReactionCount.Builder> byEmoji = new LinkedHashMap<>();
        for (MessageChanges.Reaction r : reactions) {
            ReactionCount.Builder b = byEmoji.computeIfAbsent(r.emoji(), k -> ReactionCount.newBuilder().setEmoji(k));
            b.setCount(b.getCount() + 1);
            if (b.getUidsCount() < MAX_UIDS_PER_EMOJI) {
                b.addUids(r.uid());
            }
        }
        ReactionCounts.Builder all = ReactionCounts.newBuilder();
        byEmoji.values().forEach(all::addCounts);
        return all.build().toByteArray();
    }

    /** The reactions of a stored aggregate (empty bytes: none). */
    static List<ReactionCount> reactions(byte[] aggregate) {
        if (aggregate.length == 0) {
            return List.of();
        }
        try {
            return ReactionCounts.parseFrom(aggregate).getCountsList();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored reaction aggregate (" + aggregate.length + " bytes) is not a"
                    + " ReactionCounts", e);
        }
    }

    private static OutgoingPush reactAck(ActionCommand.React r, long version, byte[] aggregate) {
        return PushTaskFactory.reply(r.envelope(), Command.REACT_ACK, ReactAck.newBuilder()
                .setConversationId(r.conversation().id()).setSeq(r.seq()).setVersion(version)
                .addAllReactions(reactions(aggregate)).build());
    }

    private static OutgoingPush notice(ActionCommand c, NoticeType type, MessageRecord now, Target t) {
        long target = t.groupId > 0 ? t.groupId : t.peerUid; // Message.target_id: the group, or the recipient
        Notice n = Notice.newBuilder().setType(type).setConversationId(now.conversationId()).setSeq(now.seq())
                .setUid(c.uid()).setVersion(now.version()).setMsgId(now.msgId()).setSenderUid(now.senderUid())
                .setMessage(PushTaskFactory.toMessage(now, target)).build();
        return PushTaskFactory.notice(n, new ArrayList<>(t.members), c.envelope());
    }

    private static MessageContent parse(MessageRecord m) {
        try {
            return MessageContent.parseFrom(m.content());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("[conversation " + m.conversationId() + "] the stored content of message "
                    + m.msgId() + " is not a MessageContent", e);
        }
    }

    private static OutgoingPush refusal(ActionCommand c, ErrorCode code, String message) {
        return PushTaskFactory.error(new Rejection(c.envelope(), code, message + "; nothing changed"));
    }

    private static List<OutgoingPush> refuse(ActionCommand c, ErrorCode code, String message) {
        return List.of(refusal(c, code, message));
    }
}
