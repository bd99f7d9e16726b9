package io.magpie.logic.internal;

import io.magpie.das.PartitionFenceRepository;
import io.magpie.registry.StorageException;
import io.magpie.das.WriteFence;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's fencing tokens for the upstream partitions it owns. {@link #claim} (from the
 * consumer's rebalance callback, before any record of the new assignment is processed) raises each
 * partition's epoch in MySQL and remembers it; every write transaction then carries
 * {@link #fenceFor} those epochs, so a transaction of a stale owner is rolled back by MySQL instead of
 * racing the new owner. A partition whose write was refused is {@link #fencedOut} and skipped until it
 * is assigned to this instance again.
 *
 * <p>A claim that fails (MySQL unreachable) leaves the partition pending: the first write of that
 * partition claims it then, or fails retryably. Not thread-safe: the upstream consumer's thread only
 * (rebalance callbacks run inside its poll).
 */
public final class PartitionFences {

    private static final Logger log = LoggerFactory.getLogger(PartitionFences.class);

    private final PartitionFenceRepository repository;
    private final String topic;
    private final String owner;
    private final Map<Integer, Long> epochs = new HashMap<>();
    private final Set<Integer> pending = new HashSet<>();
    private final Set<Integer> lost = new HashSet<>();

    /**
     * @param topic the upstream topic whose partitions are claimed
     * @param owner names this instance in {@code partition_fence.owner} (for operators)
     */
    public PartitionFences(PartitionFenceRepository repository, String topic, String owner) {
        this.repository = repository;
        this.topic = topic;
        this.owner = owner;
    }

    /**
     * Claims newly assigned partitions of the upstream topic. Blocks while a stale owner's write is in
     * flight (at most the write idle timeout); never throws: a failed claim is retried on first write.
     */
    public void claim(Collection<TopicPartition> assigned) {
        for (TopicPartition tp : assigned) {
            if (!tp.topic().equals(topic)) {
                continue;
            }
            lost.remove(tp.partition());
            epochs.remove(tp.partition());
            pending.add(tp.partition());
            try {
                claimNow(tp.partition());
            } catch (StorageException e) {
                log.warn("[fence {}] claiming partition {} failed; it is claimed again before its first write",
                        topic, tp.partition(), e);
            }
        }
    }

    private long claimNow(int partition) {
        long epoch = repository.claim(topic, partition, owner);
        pending.remove(partition);
        epochs.put(partition, epoch);
        log.info("[fence {}] partition {} claimed by {} at epoch {}", topic, partition, owner, epoch);
        return epoch;
    }

    /** Whether writes of {@code partition} are refused because another instance claimed it since. */
    public boolean isFencedOut(int partition) {
        return lost.contains(partition);
    }

    /**
     * The fence a transaction writing these partitions carries.
     *
     * @throws StorageException if a pending claim fails again (the batch is retried)
     */
    public WriteFence fenceFor(Collection<Integer> partitions) {
        Map<Integer, Long> fence = new HashMap<>();
        for (int partition : new TreeSet<>(partitions)) {
            Long epoch = epochs.get(partition);
            if (epoch == null) {
                if (!pending.contains(partition)) {
                    // never assigned through the rebalance callback: nothing this instance may claim
                    throw new IllegalStateException("[fence " + topic + "] partition " + partition
                            + " was never assigned to this instance; its records cannot be written");
                }
                epoch = claimNow(partition);
            }
            fence.put(partition, epoch);
        }
        return new WriteFence(topic, fence);
    }

    /** Another instance claimed these partitions: refuse their writes until they are assigned here again. */
    public void fencedOut(Collection<Integer> partitions) {
        for (int partition : partitions) {
            epochs.remove(partition);
            pending.remove(partition);
            lost.add(partition);
        }
        log.warn("[fence {}] partitions {} were claimed by another instance; this instance ({}) stops writing"
                + " them and leaves their records to the new owner", topic, partitions, owner);
    }
}
