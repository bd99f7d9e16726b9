package io.magpie.logic.internal;

import org.apache.kafka.common.TopicPartition;

/**
 * A SYNC or PULL waiting for its turn, with the record it came from: its offset must not be
 * committed before it is answered, so a crash replays it.
 *
 * @param partition the upstream partition of the record
 * @param offset    the record's offset
 * @param query     what to answer
 */
public record PendingQuery(TopicPartition partition, long offset, QueryCommand query) {
}
