package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.logic.internal.DedupePlan.Fresh;
import io.magpie.logic.internal.DedupePlan.Slot;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.ReplyRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replies of a batch of new SENDs (docs/PROTOCOL.md §9.19): each quoted message must be a stored message of
 * the reply's own conversation; the server fills the reference in from it (msg id, sender, type, a preview of its
 * text cut to {@value #MAX_PREVIEW_CHARS} code points, or "recalled"), and a msg id or sender the client named
 * must match it. One query per conversation that has replies in the batch, none for a batch without replies.
 * Whether the sender may see the quoted seq (a group member who joined later) is checked under the group's lock
 * by {@link #hiddenFrom}. Not thread-safe: the upstream consumer's thread.
 */
final class ReplyResolver {

    /** Longest preview of the quoted message, in code points. */
    static final int MAX_PREVIEW_CHARS = 100;

    private static final Logger log = LoggerFactory.getLogger(ReplyResolver.class);

    private final MessageRepository messages;

    ReplyResolver(MessageRepository messages) {
        this.messages = messages;
    }

    /**
     * @param outcome answers decided so far, by slot; a refused reply gets its {@link Rejection} here
     * @return the slots, with each new reply's command carrying the filled-in reference
     */
    List<Slot> resolve(List<Slot> slots, Object[] outcome) throws BatchRetryException {
        Map<String, TreeSet<Long>> wanted = new HashMap<>();
        for (int i = 0; i < slots.size(); i++) {
            if (outcome[i] == null && slots.get(i) instanceof Fresh f && f.command().request().getContent().hasReplyTo()) {
                wanted.computeIfAbsent(f.command().conversationId(), k -> new TreeSet<>())
                        .add(f.command().request().getContent().getReplyTo().getSeq());
            }
        }
        if (wanted.isEmpty()) {
            return slots;
        }
        Map<String, Map<Long, MessageRecord>> found = new HashMap<>();
        for (Map.Entry<String, TreeSet<Long>> e : wanted.entrySet()) {
            Map<Long, MessageRecord> bySeq = new HashMap<>();
            try {
                for (MessageRecord r : messages.findBySeqs(e.getKey(), e.getValue())) {
                    bySeq.put(r.seq(), r);
                }
            } catch (RuntimeException ex) {
                throw StorageFailures.classify("[conversation " + e.getKey() + "] reading " + e.getValue().size()
                        + " quoted messages", ex);
            }
            found.put(e.getKey(), bySeq);
        }
        List<Slot> resolved = new ArrayList<>(slots);
        for (int i = 0; i < slots.size(); i++) {
            if (outcome[i] != null || !(slots.get(i) instanceof Fresh f)
                    || !f.command().request().getContent().hasReplyTo()) {
                continue;
            }
            SendCommand c = f.command();
            ReplyRef asked = c.request().getContent().getReplyTo();
            MessageRecord quoted = found.get(c.conversationId()).get(asked.getSeq());
            if (quoted == null) {
                outcome[i] = new Rejection(c.envelope(), ErrorCode.NOT_FOUND, "content.reply_to.seq " + asked.getSeq()
                        + " names no message of " + c.conversationId() + " (a reply quotes a message of its own"
                        + " conversation); the message was not sent");
            } else if (asked.getMsgId() != 0 && asked.getMsgId() != quoted.msgId()) {
                outcome[i] = new Rejection(c.envelope(), ErrorCode.BAD_REQUEST, "content.reply_to.msg_id "
                        + asked.getMsgId() + " is not the message at seq " + asked.getSeq() + " of "
                        + c.conversationId() + " (msg_id " + quoted.msgId() + "); the message was not sent");
            } else if (asked.getSenderUid() != 0 && asked.getSenderUid() != quoted.senderUid()) {
                outcome[i] = new Rejection(c.envelope(), ErrorCode.BAD_REQUEST, "content.reply_to.sender_uid "
                        + asked.getSenderUid() + " did not send the message at seq " + asked.getSeq() + " of "
                        + c.conversationId() + " (uid " + quoted.senderUid() + " did); the message was not sent");
            } else {
                MessageContent content = c.request().getContent().toBuilder().setReplyTo(reference(quoted)).build();
                resolved.set(i, new Fresh(c.withStoredContent(content)));
            }
        }
        return resolved;
    }

    /**
     * Whether the group member who sends {@code c} joined after the message it quotes (they cannot PULL it, so
     * they may not quote it either): the refusal, else null.
     */
    static Rejection hiddenFrom(SendCommand c, long joinSeq) {
        if (!c.request().getContent().hasReplyTo() || c.request().getContent().getReplyTo().getSeq() >= joinSeq) {
            return null;
        }
        long seq = c.request().getContent().getReplyTo().getSeq();
        return new Rejection(c.envelope(), ErrorCode.NOT_FOUND, "content.reply_to.seq " + seq + " is before you"
                + " joined " + c.conversationId() + " (at seq " + joinSeq + "); you can only quote messages you can"
                + " see; the message was not sent");
    }

    /** The reference to {@code quoted} as stored in a reply. */
    static ReplyRef reference(MessageRecord quoted) {
        ReplyRef.Builder b = ReplyRef.newBuilder().setSeq(quoted.seq()).setMsgId(quoted.msgId())
                .setSenderUid(quoted.senderUid()).setTypeValue(quoted.msgType());
        if (quoted.status() == MessageRecord.STATUS_RECALLED) {
            return b.setRecalled(true).build();
        }
        return b.setPreview(preview(quoted)).build();
    }

    /** A recalled reference: what a reply to {@code quoted} stores once that message was recalled. */
    static ReplyRef recalled(ReplyRef stored) {
        return stored.toBuilder().setRecalled(true).clearPreview().build();
    }

    private static String preview(MessageRecord quoted) {
        if (quoted.msgType() == MessageType.SYSTEM_VALUE) {
            return "";
        }
        String text;
        try {
            text = MessageContent.parseFrom(quoted.content()).getText();
        } catch (InvalidProtocolBufferException e) {
            // stored by this server: unreadable content is a bug, but the reply itself is fine without a preview
            log.warn("[conversation {}] the stored content of message {} (seq {}) is not a MessageContent; quoting"
                    + " it without a preview", quoted.conversationId(), quoted.msgId(), quoted.seq(), e);
            return "";
        }
        return cut(text, MAX_PREVIEW_CHARS);
    }

    /** {@code text} cut to its first {@code max} code points. */
    static String cut(String text, int max) {
        if (text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, max));
    }
}
