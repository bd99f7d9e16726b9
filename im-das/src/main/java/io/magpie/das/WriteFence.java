package io.magpie.das;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The partitions a write transaction must still own, with the epoch its writer claimed for each
 * ({@link PartitionFenceRepository#claim}). {@link #NONE} fences nothing (writes that no partition
 * owns, and tests). Immutable.
 *
 * @param topic  the topic whose partitions are fenced
 * @param epochs partition -> claimed epoch; sorted, unmodifiable
 */
public record WriteFence(String topic, Map<Integer, Long> epochs) {

    /** No fence: the transaction checks nothing. */
    public static final WriteFence NONE = new WriteFence("", Map.of());

    public WriteFence {
        Objects.requireNonNull(topic, "topic");
        epochs = java.util.Collections.unmodifiableMap(new TreeMap<>(epochs));
    }

    public boolean isNone() {
        return epochs.isEmpty();
    }
}
