package io.magpie.bus;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The work a {@link ConsumerLoop} does with what it polls. Only {@link #handle} is required; the
 * other hooks let a role add work between polls, hold commits back, and follow partition moves.
 * Every method is called on the loop's thread only.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public interface BatchHandler<K, V> {

    /**
     * Does the work of one polled batch (in poll order, several partitions mixed).
     *
     * @return true when the batch is done, so the loop may commit past it; false when it was left
     *         unfinished on purpose (a shutdown interrupted a retry wait): the loop rewinds it without
     *         logging a failure
     * @throws Exception when the batch failed: the loop rewinds it and polls it again after a backoff.
     *                   A checked exception is an expected failure (logged as a warning, see
     *                   {@link #expected}); a runtime exception is logged as an error with its stack
     */
    boolean handle(List<ConsumerRecord<K, V>> batch) throws Exception;

    /**
     * What of the batch {@link #handle} just finished is still on its way, or {@code null} when nothing is
     * (the default). Asked right after {@code handle} returned true. With an {@link Unfinished} the loop
     * overlaps batches: it polls and handles the next one before it waits for this one, and commits past a
     * batch only once its work completed; so a handler's own waits (a producer's acks) no longer stall the
     * next batch's storage work.
     */
    default Unfinished unfinished() {
        return null;
    }

    /**
     * Extra work after every poll, empty or not (logic answers waiting queries here). A failure
     * pauses the loop for a backoff; nothing is rewound.
     */
    default void afterPoll() throws Exception {
    }

    /** How long the next poll may wait for records; {@code standard} is the loop's setting. */
    default Duration pollTimeout(Duration standard) {
        return standard;
    }

    /** An offset the commit of {@code partition} must not pass (work still pending there), if any. */
    default OptionalLong commitCeiling(TopicPartition partition) {
        return OptionalLong.empty();
    }

    /** Whether {@code failure} is an expected, retryable fault (a warning) rather than a bug (an error). */
    default boolean expected(Exception failure) {
        return !(failure instanceof RuntimeException);
    }

    /**
     * The loop seeked back: each partition's records from the offset given are handled again (a failed batch,
     * or a batch handled after one whose {@link Unfinished} work failed), by this member or, when the partition
     * is being revoked, by its next owner. A handler that keeps state about records it handled (logic: queries
     * waiting to be answered) forgets what it kept from there on.
     */
    default void onRewound(Map<TopicPartition, Long> from) {
    }

    /** Partitions given to this member (after the loop's rebalance bookkeeping). */
    default void onAssigned(Collection<TopicPartition> partitions) {
    }

    /** Partitions taken from this member; the loop has already committed what is done in them. */
    default void onRevoked(Collection<TopicPartition> partitions) {
    }

    /** Partitions that already belong to another member (nothing could be committed); as revoked by default. */
    default void onLost(Collection<TopicPartition> partitions) {
        onRevoked(partitions);
    }
}
