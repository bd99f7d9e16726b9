package io.magpie.logic.internal;

import io.magpie.das.Conversation;
import io.magpie.das.ConversationRepository;
import io.magpie.das.GroupRepository;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.ReadPositions;
import java.util.List;
import java.util.Optional;

/**
 * Read receipts of one message on request: in a one-to-one conversation whether the peer has read
 * it; in a group how many members have (and who, up to {@code listMaxMembers} members; above it counts
 * only). Members who hide read receipts are neither counted nor listed, and a caller who hides them
 * sees none. Only a member may ask. Thread-safe; blocking (JDBC): the HTTP server's threads.
 */
public final class ReceiptService {

    /** What {@code GET .../receipts} answers; {@code readers} is null when not listed. */
    public record Receipts(String conversationId, long seq, long readCount, long unreadCount, List<Long> readers) {
    }

    private final MessageRepository messages;
    private final ConversationRepository conversations;
    private final GroupRepository groups;
    private final ReadPositions positions;
    private final int listMaxMembers;

    /** @param listMaxMembers groups with at most this many members get the readers' uids, larger ones counts only */
    public ReceiptService(MessageRepository messages, ConversationRepository conversations, GroupRepository groups,
            ReadPositions positions, int listMaxMembers) {
        this.messages = messages;
        this.conversations = conversations;
        this.groups = groups;
        this.positions = positions;
        this.listMaxMembers = listMaxMembers;
    }

    public Receipts of(long caller, String conversationId, long seq) throws ApiException {
        ConversationRef ref = ConversationRef.parse(conversationId).orElseThrow(() -> ApiException.badRequest(
                "conversationId '" + JsonBodies.abbreviate(conversationId) + "' is not s_<uid>_<uid> or g_<group id>"));
        if (seq < 1) {
            throw ApiException.badRequest("seq must be a message seq (1 or more), got " + seq);
        }
        Optional<GroupRoster> roster = Optional.empty();
        if (ref instanceof ConversationRef.Group g) {
            roster = groups.roster(g.groupId());
            if (roster.isEmpty() || !roster.get().isMember(caller)) {
                throw forbidden(caller, conversationId);
            }
        } else if (!((ConversationRef.Single) ref).hasMember(caller)) {
            throw forbidden(caller, conversationId);
        }
        List<MessageRecord> found = messages.findRange(conversationId, seq, seq, 1);
        MessageRecord message = found.isEmpty() ? null : found.get(0);
        // one settings read for the caller and, one-to-one, the peer who would have read it
        long peer = message != null && ref instanceof ConversationRef.Single single
                ? single.peerOf(message.senderUid()) : caller;
        java.util.Set<Long> hiding = positions.hidingReceipts(List.of(caller, peer));
        if (hiding.contains(caller)) {
            throw new ApiException(403, "READ_RECEIPTS_OFF", "uid " + caller + " hides read receipts and so sees none;"
                    + " turn them on with PUT /v1/me/settings/read-receipts");
        }
        if (message == null) {
            throw new ApiException(404, "NOT_FOUND", "there is no message at seq " + seq + " in " + conversationId);
        }
        if (ref instanceof ConversationRef.Single) {
            // what the pushed receipts told the sender: the sender's row's view of the peer (0 while either hides them)
            boolean shared = !hiding.contains(peer);
            long peerRead = conversations.find(message.senderUid(), conversationId).map(Conversation::peerReadSeq)
                    .orElse(0L);
            long read = shared && peerRead >= seq ? 1 : 0;
            return new Receipts(conversationId, seq, read, shared ? 1 - read : 0,
                    read == 1 ? List.of(peer) : List.of());
        }
        long groupId = ((ConversationRef.Group) ref).groupId();
        boolean list = roster.get().size() <= listMaxMembers;
        ReadPositions.GroupReceipts r = positions.groupReceipts(groupId, conversationId, seq, message.senderUid(), list);
        return new Receipts(conversationId, seq, r.readCount(), r.unreadCount(), list ? r.readers() : null);
    }

    private static ApiException forbidden(long caller, String conversationId) {
        return new ApiException(403, "FORBIDDEN", "uid " + caller + " is not a member of " + conversationId);
    }
}
