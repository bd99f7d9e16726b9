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
 * query), so a crash replays every record whose work is not finished. A commit on its way is not
 * offered again; one that failed is offered again on the next turn. Pure bookkeeping; not thread-safe (the loop's thread).
 */
public final class CommitPositions {

    private final Map<TopicPartition, Long> processed = new HashMap<>();
    /** Confirmed by the group coordinator. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Sent to the coordinator (confirmed, or an asynchronous commit still on its way). */
    private final Map<TopicPartition, Long> offered = new HashMap<>();

    /** Every record of the partition below {@code nextOffset} is done, ceilings aside. */
    public void processed(TopicPartition partition, long nextOffset) {
        processed.merge(partition, nextOffset, Math::max);
    }

    /**
     * The offsets to commit now: those that moved since the last commit sent (confirmed or on its way).
     *
     * @param ceiling the offset a partition's commit must not pass, if any
     */
    public Map<TopicPartition, OffsetAndMetadata> toCommit(Function<TopicPartition, OptionalLong> ceiling) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        processed.forEach((tp, next) -> {
            OptionalLong limit = ceiling.apply(tp);
            long position = limit.isPresent() ? Math.min(next, limit.getAsLong()) : next;
            if (position > offered.getOrDefault(tp, -1L)) {
                offsets.put(tp, new OffsetAndMetadata(position));
            }
        });
        return offsets;
    }

    /** An asynchronous commit of {@code offsets} was sent: they are not offered again unless it fails. */
    public void offered(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> offered.merge(tp, o.offset(), Math::max));
    }

    /** Records a successful commit. */
    public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> {
            committed.merge(tp, o.offset(), Math::max);
            offered.merge(tp, o.offset(), Math::max);
        });
    }

    /**
     * A commit of {@code offsets} failed: a partition whose latest offer it was is offered again from its
     * last confirmed position on the next turn (a later offer that is still on its way covers it anyway).
     */
    public void failed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> {
            Long latest = offered.get(tp);
            if (latest != null && latest <= o.offset()) {
                Long confirmed = committed.get(tp);
                if (confirmed == null) {
                    offered.remove(tp);
                } else {
                    offered.put(tp, confirmed);
                }
            }
        });
    }

    /** Forgets partitions this consumer no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            processed.remove(tp);
            committed.remove(tp);
            offered.remove(tp);
        }
    }
}
