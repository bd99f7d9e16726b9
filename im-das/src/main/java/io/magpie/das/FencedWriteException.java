package io.magpie.das;

import io.magpie.registry.StorageException;

import java.util.Set;

/**
 * A write transaction was refused because another instance claimed some of its partitions since
 * this writer did (a higher epoch in {@code partition_fence}): this writer is stale and must not
 * write those partitions' conversations any more; the new owner replays their records. Nothing of the
 * transaction was stored. Not retryable for those partitions; the others may be written again.
 */
public final class FencedWriteException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Set<Integer> partitions;

    public FencedWriteException(String topic, Set<Integer> partitions, String message) {
        super(message, null, false);
        this.topic = topic;
        this.partitions = Set.copyOf(partitions);
    }

    public String topic() {
        return topic;
    }

    /** The partitions this writer no longer owns. */
    public Set<Integer> partitions() {
        return partitions;
    }
}
