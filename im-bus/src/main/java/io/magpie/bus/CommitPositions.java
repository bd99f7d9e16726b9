package io.magpie.bus;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets a {@link ConsumerLoop} may commit: per partition, the position after the last record
 * whose work is done, held back to a ceiling the handler names (logic: its earliest unanswered
 * query), so a crash replays every record whose work is not finished. A commit that failed is
 * simply offered again on the next turn. Pure bookkeeping; not thread-safe (the loop's thread).
 */
public final class CommitPositions {

    private final Map<TopicPartition, Long> processed = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** Every record of the partition below {@code nextOffset} is done, ceilings aside. */
    public void processed(TopicPartition partition, long nextOffset) {
        processed.merge(partition, nextOffset, Math::max);
    }

    /**
     * The offsets to commit now: those that moved since the last successful commit.
     *
     * @param ceiling the offset a partition's commit must not pass, if any
     */
    public Map<TopicPartition, OffsetAndMetadata> toCommit(Function<TopicPartition, OptionalLong> ceiling) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        processed.forEach((tp, next) -> {
            OptionalLong limit = ceiling.apply(tp);
            long position = limit.isPresent() ? Math.min(next, limit.getAsLong()) : next;
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
