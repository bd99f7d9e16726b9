package io.magpie.idgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ConversationSeqAllocatorTest {

    /** Stands in for MySQL: the stored max seq per conversation, and how often it was asked. */
    private final Map<String, Long> stored = new HashMap<>();
    private final Map<String, Integer> loads = new HashMap<>();
    private final ConversationSeqAllocator allocator = new ConversationSeqAllocator(conversationId -> {
        loads.merge(conversationId, 1, Integer::sum);
        return stored.getOrDefault(conversationId, 0L);
    });

    @Test
    void newConversationStartsAtOneAndRisesByOne() {
        assertEquals(1, allocator.next("s_1_2"));
        assertEquals(2, allocator.next("s_1_2"));
        assertEquals(3, allocator.next("s_1_2"));
        assertEquals(1, loads.get("s_1_2"), "loaded once, then from memory");
    }

    @Test
    void continuesAfterTheStoredSeq() {
        stored.put("g_9", 41L);
        assertEquals(42, allocator.next("g_9"));
        assertEquals(OptionalLong.of(42), allocator.current("g_9"));
    }

    @Test
    void rollbackReloadsSoAnUnpersistedBatchLeavesNoHole() {
        stored.put("g_9", 10L);
        allocator.next("g_9"); // 11, 12 handed out, then the batch failed to persist
        allocator.next("g_9");
        allocator.rollback("g_9");
        assertEquals(OptionalLong.empty(), allocator.current("g_9"));
        assertEquals(11, allocator.next("g_9"));
        assertEquals(2, loads.get("g_9"));
    }

    @Test
    void clearForgetsEverything() {
        allocator.next("a");
        allocator.next("b");
        assertEquals(2, allocator.size());
        stored.put("a", 100L);
        allocator.clear();
        assertEquals(0, allocator.size());
        assertEquals(101, allocator.next("a"));
    }

    @Test
    void loaderFailurePropagatesAndCachesNothing() {
        ConversationSeqAllocator failing = new ConversationSeqAllocator(c -> {
            throw new IllegalStateException("mysql down");
        });
        assertThrows(IllegalStateException.class, () -> failing.next("a"));
        assertEquals(0, failing.size());
        ConversationSeqAllocator negative = new ConversationSeqAllocator(c -> -1);
        assertThrows(IllegalStateException.class, () -> negative.next("a"));
    }
}
