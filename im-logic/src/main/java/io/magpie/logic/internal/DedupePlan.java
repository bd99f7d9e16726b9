package io.magpie.logic.internal;

import io.magpie.das.MessageRecord;
import io.magpie.das.SenderClientKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 5b, the pure part: which SENDs of a batch are new. A send whose (sender, client message id)
 * is already stored is a resend and gets the stored message's id and seq, but only if it names the
 * stored message's conversation: a dedupe hit is authorised against the stored record, never against
 * the new request, so an id reused for another peer or group (or across conversation types) is a
 * {@link Conflict}, refused and pushed nowhere. A second send with the same key inside the batch gets
 * whatever the first one gets, under the same rule. Immutable once built.
 */
public final class DedupePlan {

    /** What a command of the batch resolves to, by its index in the batch. */
    public sealed interface Slot permits Fresh, Stored, SameAs, Conflict {
        SendCommand command();
    }

    /** The first send of this key and nothing stored: assign ids and persist. */
    public record Fresh(SendCommand command) implements Slot {
    }

    /** Already stored in the same conversation (a redelivered or resent SEND): answer with the stored message. */
    public record Stored(SendCommand command, MessageRecord record) implements Slot {
    }

    /** A repeat of the batch's command at {@code firstIndex}, same conversation: answer as that one is answered. */
    public record SameAs(SendCommand command, int firstIndex) implements Slot {
    }

    /**
     * The key already names a message of another conversation (stored, or earlier in this batch):
     * refused with {@code CLIENT_MSG_ID_REUSED}, nothing stored or pushed.
     *
     * @param claimedBy the conversation the key belongs to
     */
    public record Conflict(SendCommand command, String claimedBy) implements Slot {
    }

    private final List<Slot> slots;

    private DedupePlan(List<Slot> slots) {
        this.slots = Collections.unmodifiableList(slots);
    }

    /**
     * @param commands the batch's accepted sends, in record order
     * @param stored   stored messages found for the batch's keys (one query), by key
     */
    public static DedupePlan of(List<SendCommand> commands, Map<SenderClientKey, MessageRecord> stored) {
        List<Slot> slots = new ArrayList<>(commands.size());
        Map<SenderClientKey, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            SendCommand c = commands.get(i);
            SenderClientKey key = c.key();
            MessageRecord record = stored.get(key);
            Integer first = firstIndex.putIfAbsent(key, i);
            if (record != null) {
                slots.add(record.conversationId().equals(c.conversationId()) ? new Stored(c, record)
                        : new Conflict(c, record.conversationId()));
            } else if (first != null) {
                String firstConversation = commands.get(first).conversationId();
                slots.add(firstConversation.equals(c.conversationId()) ? new SameAs(c, first)
                        : new Conflict(c, firstConversation));
            } else {
                slots.add(new Fresh(c));
            }
        }
        return new DedupePlan(slots);
    }

    public List<Slot> slots() {
        return slots;
    }

    /** The commands that need new ids, in batch order. */
    public List<SendCommand> fresh() {
        List<SendCommand> fresh = new ArrayList<>();
        for (Slot s : slots) {
            if (s instanceof Fresh f) {
                fresh.add(f.command());
            }
        }
        return fresh;
    }
}
