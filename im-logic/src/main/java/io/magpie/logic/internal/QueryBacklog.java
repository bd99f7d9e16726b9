package io.magpie.logic.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * SYNC/PULL requests waiting to be answered after the SEND batches, first in first out, bounded.
 * Per partition the queries sit in offset order, so the first one found is the earliest, the offset
 * the partition's commit must stay at or below. Not thread-safe: the upstream consumer's thread.
 */
public final class QueryBacklog {

    private final int capacity;
    private final Deque<PendingQuery> queue = new ArrayDeque<>();

    public QueryBacklog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** How many more queries fit. */
    public int room() {
        return capacity - queue.size();
    }

    public int size() {
        return queue.size();
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** @throws IllegalStateException if they do not fit (ask {@link #room()} first) */
    public void addAll(List<PendingQuery> queries) {
        if (queries.size() > room()) {
            throw new IllegalStateException(queries.size() + " queries do not fit a backlog with room for " + room());
        }
        queue.addAll(queries);
    }

    /** Removes and returns up to {@code max} of the oldest queries. */
    public List<PendingQuery> take(int max) {
        List<PendingQuery> turn = new ArrayList<>(Math.min(max, queue.size()));
        while (turn.size() < max && !queue.isEmpty()) {
            turn.add(queue.pollFirst());
        }
        return turn;
    }

    /** Puts back queries taken by {@link #take} that could not be answered, ahead of the rest. */
    public void returnToFront(List<PendingQuery> taken) {
        for (int i = taken.size() - 1; i >= 0; i--) {
            queue.addFirst(taken.get(i));
        }
    }

    /** The offset of the partition's earliest waiting query, empty if none waits. */
    public OptionalLong earliestOffset(TopicPartition partition) {
        for (PendingQuery q : queue) {
            if (q.partition().equals(partition)) {
                return OptionalLong.of(q.offset());
            }
        }
        return OptionalLong.empty();
    }

    /** Forgets the queries at or after each partition's offset in {@code from}: those records are polled again. */
    public int dropFrom(Map<TopicPartition, Long> from) {
        int dropped = 0;
        for (Iterator<PendingQuery> it = queue.iterator(); it.hasNext(); ) {
            PendingQuery q = it.next();
            Long offset = from.get(q.partition());
            if (offset != null && q.offset() >= offset) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Forgets the queries of partitions this consumer no longer owns (their new owner replays them). */
    public int dropPartitions(Collection<TopicPartition> partitions) {
        Set<TopicPartition> gone = Set.copyOf(partitions);
        int dropped = 0;
        for (Iterator<PendingQuery> it = queue.iterator(); it.hasNext(); ) {
            if (gone.contains(it.next().partition())) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }
}
