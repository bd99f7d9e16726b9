package io.magpie.idgen;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Per-conversation sequence numbers 1, 2, 3... without holes, for the single writer of those
 * conversations (the owner of their Kafka partition). The first use of a conversation loads its
 * last stored seq from the {@link SeqLoader}; later seqs come from memory.
 *
 * <p>If a batch that used seqs is not persisted, call {@link #rollback(String)} for its
 * conversations (or {@link #clear()}): the next call reloads from storage, so no hole appears. Call
 * {@link #clear()} when partitions are revoked or assigned, since another writer may have advanced
 * the conversations meanwhile; it also bounds memory, but only call it between batches: a seq
 * handed out but not yet persisted would be handed out again after a reload.
 *
 * <p>Not thread-safe: used by the partition owner's thread only.
 */
public final class ConversationSeqAllocator {

    private final SeqLoader loader;
    private final Map<String, Long> lastSeqs = new HashMap<>();

    public ConversationSeqAllocator(SeqLoader loader) {
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /**
     * The next seq of the conversation.
     *
     * @throws IllegalStateException if the loader reports a negative seq; loader failures propagate
     */
    public long next(String conversationId) {
        Long last = lastSeqs.get(conversationId);
        if (last == null) {
            last = loader.maxSeq(conversationId);
            if (last < 0) {
                throw new IllegalStateException("seq loader returned " + last + " for conversation " + conversationId
                        + "; expected 0 or more");
            }
        }
        long next = last + 1;
        lastSeqs.put(conversationId, next);
        return next;
    }

    /** The last seq handed out (or loaded) for the conversation, if it is cached. */
    public OptionalLong current(String conversationId) {
        Long last = lastSeqs.get(conversationId);
        return last == null ? OptionalLong.empty() : OptionalLong.of(last);
    }

    /** Forgets the conversation; its next seq is reloaded from storage. */
    public void rollback(String conversationId) {
        lastSeqs.remove(conversationId);
    }

    /** Forgets every conversation. */
    public void clear() {
        lastSeqs.clear();
    }

    /** Conversations cached. */
    public int size() {
        return lastSeqs.size();
    }
}
