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
 * is already stored is a resend and gets the stored message's id and seq; a second send with the
 * same key inside the batch gets whatever the first one gets. Immutable once built.
 */
public final class DedupePlan {

    /** What a command of the batch resolves to, by its index in the batch. */
    public sealed interface Slot permits Fresh, Stored, SameAs {
    }

    /** The first send of this key and nothing stored: assign ids and persist. */
    public record Fresh(SendCommand command) implements Slot {
    }

    /** Already stored (a redelivered or resent SEND): answer with the stored message. */
    public record Stored(SendCommand command, MessageRecord record) implements Slot {
    }

    /** A repeat of the batch's command at {@code firstIndex}: answer as that one is answered. */
    public record SameAs(SendCommand command, int firstIndex) implements Slot {
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
                slots.add(new Stored(c, record));
            } else if (first != null) {
                slots.add(new SameAs(c, first));
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
