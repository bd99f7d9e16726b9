package io.magpie.logic.internal;

import io.magpie.das.Conversation;
import io.magpie.das.ConversationRepository;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.OwnHistory;
import io.magpie.das.UnreadCounts;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.SyncAck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 9, SYNC: the caller's conversations changed since their version, oldest change first, each
 * with its newest visible message, its exact unread count ({@link UnreadCounts}) and the total over
 * all the caller's unmuted conversations; two queries (the rows, merged with large groups' timelines by
 * {@link ConversationRepository#syncSince}, then the last messages by id). The cursor handed back
 * follows {@link SyncCursor}. Blocking JDBC on the consumer thread; stateless, thread-safe.
 */
public final class SyncHandler {

    /** Longest text of a conversation's last message in a SYNC answer. */
    public static final int PREVIEW_CODE_POINTS = 200;

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final UnreadCounts unread;
    private final OwnHistory history;
    private final SyncCursor cursor;

    public SyncHandler(ConversationRepository conversations, MessageRepository messages, UnreadCounts unread,
            OwnHistory history, SyncCursor cursor) {
        this.conversations = conversations;
        this.messages = messages;
        this.unread = unread;
        this.history = history;
        this.cursor = cursor;
    }

    /** @throws io.magpie.registry.StorageException when MySQL could not answer */
    public OutgoingPush answer(QueryCommand.Sync q) {
        List<Conversation> rows = conversations.syncSince(q.uid(), q.sinceVersion(), q.limit() + 1);
        boolean hasMore = rows.size() > q.limit();
        List<Conversation> page = hasMore ? rows.subList(0, q.limit()) : rows;
        List<Long> lastIds = new ArrayList<>();
        Map<String, Long> lastSeqs = new HashMap<>();
        for (Conversation c : page) {
            if (visibleLastMessage(c)) {
                lastIds.add(c.lastMsgId());
                lastSeqs.put(c.conversationId(), c.lastSeq());
            }
        }
        Set<String> lastHidden = history.hiddenAmong(q.uid(), lastSeqs);
        Map<Long, MessageRecord> last = lastIds.isEmpty() ? Map.of() : messages.findByIds(lastIds);
        Map<String, Long> counts = unread.of(page);
        SyncAck.Builder ack = SyncAck.newBuilder().setTotalUnread(unread.total(q.uid()));
        for (Conversation c : page) {
            MessageRecord newest = visibleLastMessage(c) ? last.get(c.lastMsgId()) : null;
            if (newest != null && lastHidden.contains(c.conversationId())) {
                newest = Placeholders.deletedForViewer(newest);
            }
            ack.addConversations(info(c, newest, counts.getOrDefault(c.conversationId(), 0L)));
        }
        long newest = page.isEmpty() ? q.sinceVersion() : page.get(page.size() - 1).version();
        ack.setVersion(cursor.next(q.sinceVersion(), newest, hasMore)).setHasMore(hasMore);
        return PushTaskFactory.reply(q.envelope(), Command.SYNC_ACK, ack.build());
    }

    /** The last message exists and is not hidden by a clear (or by a join after it). */
    private static boolean visibleLastMessage(Conversation c) {
        return c.lastMsgId() > 0 && c.lastSeq() > c.clearedSeq();
    }

    static ConversationInfo info(Conversation c, MessageRecord last, long unreadCount) {
        ConversationInfo.Builder info = ConversationInfo.newBuilder()
                .setConversationId(c.conversationId())
                .setConversationTypeValue(c.conversationType())
                .setTargetId(c.peerId())
                .setLastSeq(c.lastSeq())
                .setReadSeq(c.readSeq())
                .setClearedSeq(c.clearedSeq())
                .setVersion(c.version())
                .setMuted(c.muted())
                .setDeleted(c.deleted())
                .setUnreadCount(unreadCount)
                .setPeerReadSeq(c.peerReadSeq())
                .setPinnedAt(c.sortKey())
                .setMentioned(c.mentioned());
        if (last != null) {
            long target = c.conversationType() == ConversationType.GROUP_VALUE ? c.peerId()
                    : ConversationIds.peerOf(last.conversationId(), last.senderUid());
            info.setLastMessage(preview(PushTaskFactory.toMessage(last, target)));
        }
        return info.build();
    }

    /**
     * The newest message as the list shows it: text (and caption) cut to {@value #PREVIEW_CODE_POINTS} code
     * points, custom bytes left out; PULL returns the whole message.
     */
    static Message preview(Message m) {
        MessageContent content = m.getContent();
        String text = content.getText();
        boolean longText = text.codePointCount(0, text.length()) > PREVIEW_CODE_POINTS;
        if (!longText && content.getCustom().isEmpty()) {
            return m;
        }
        MessageContent.Builder cut = content.toBuilder().clearCustom();
        if (longText) {
            cut.setText(text.substring(0, text.offsetByCodePoints(0, PREVIEW_CODE_POINTS)));
        }
        return m.toBuilder().setContent(cut).build();
    }
}
