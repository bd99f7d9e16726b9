package io.magpie.logic.internal;

import io.magpie.das.ConversationUpdate;
import io.magpie.das.MessageRecord;
import io.magpie.protocol.ConversationIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 5d, the pure part: the conversation-list rows a batch of one-to-one messages changes. Each
 * message touches two owners: the sender (who has read up to their own message) and the peer (read
 * position kept). Rows of one owner and conversation are merged to the newest message, so a batch
 * writes each row once. The row's version is the newest msg id (user-scoped: ids rise with time).
 * Stateless.
 */
public final class ConversationUpdates {

    private ConversationUpdates() {
    }

    public static List<ConversationUpdate> of(List<MessageRecord> records) {
        Map<String, ConversationUpdate> byOwnerAndConversation = new LinkedHashMap<>();
        for (MessageRecord r : records) {
            long peer = ConversationIds.peerOf(r.conversationId(), r.senderUid());
            merge(byOwnerAndConversation, update(r, r.senderUid(), peer, r.seq()));
            merge(byOwnerAndConversation, update(r, peer, r.senderUid(), ConversationUpdate.KEEP_READ_SEQ));
        }
        return new ArrayList<>(byOwnerAndConversation.values());
    }

    private static ConversationUpdate update(MessageRecord r, long owner, long peer, long readSeq) {
        return new ConversationUpdate(owner, r.conversationId(), r.conversationType(), peer, r.seq(), r.msgId(),
                r.msgId(), readSeq);
    }

    private static void merge(Map<String, ConversationUpdate> rows, ConversationUpdate u) {
        rows.merge(u.ownerUid() + "/" + u.conversationId(), u, (a, b) -> {
            ConversationUpdate newer = b.lastSeq() >= a.lastSeq() ? b : a;
            return new ConversationUpdate(newer.ownerUid(), newer.conversationId(), newer.conversationType(),
                    newer.peerId(), newer.lastSeq(), newer.lastMsgId(), Math.max(a.version(), b.version()),
                    Math.max(a.readSeq(), b.readSeq()));
        });
    }
}
