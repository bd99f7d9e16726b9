package io.magpie.logic.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which upstream offsets may be committed: per partition, the position after the last record whose
 * work is done (its batch stored and its push tasks acknowledged), held back to the earliest query
 * still waiting in the {@link QueryBacklog}, so a crash replays every request that has no answer
 * yet (SENDs in between are replayed too; dedupe answers them with the stored ids). Pure
 * bookkeeping. Not thread-safe: the upstream consumer's thread.
 */
public final class CommitPositions {

    private final Map<TopicPartition, Long> processed = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** Every record of the partition below {@code nextOffset} is done, queries aside. */
    public void processed(TopicPartition partition, long nextOffset) {
        processed.merge(partition, nextOffset, Math::max);
    }

    /**
     * The offsets to commit now: those that moved since the last commit.
     *
     * @param earliestWaiting the offset of a partition's earliest unanswered query, if any
     */
    public Map<TopicPartition, OffsetAndMetadata> toCommit(Function<TopicPartition, OptionalLong> earliestWaiting) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        processed.forEach((tp, next) -> {
            OptionalLong waiting = earliestWaiting.apply(tp);
            long position = waiting.isPresent() ? Math.min(next, waiting.getAsLong()) : next;
            if (position > committed.getOrDefault(tp, -1L)) {
                offsets.put(tp, new OffsetAndMetadata(position));
            }
        });
        return offsets;
    }

    /** Records a successful commit. */
    public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
    }

    /** Forgets partitions this consumer no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            processed.remove(tp);
            committed.remove(tp);
        }
    }
}
