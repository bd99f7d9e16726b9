package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.bus.CommitPositions;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitPositionsTest {

    private static final TopicPartition P0 = new TopicPartition("up", 0);
    private static final TopicPartition P1 = new TopicPartition("up", 1);

    private final CommitPositions positions = new CommitPositions();
    private final QueryBacklog backlog = new QueryBacklog(10);

    @Test
    void doneRecordsAreCommittedOnce() {
        positions.processed(P0, 10);
        positions.processed(P1, 4);

        Map<TopicPartition, OffsetAndMetadata> first = positions.toCommit(backlog::earliestOffset);
        assertEquals(Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(4)), first);
        positions.committed(first);

        assertEquals(Map.of(), positions.toCommit(backlog::earliestOffset));
    }

    @Test
    void anUnansweredQueryHoldsItsPartitionBackUntilItIsAnswered() {
        backlog.addAll(List.of(QueryBacklogTest.q(P0, 6)));
        positions.processed(P0, 10);

        Map<TopicPartition, OffsetAndMetadata> held = positions.toCommit(backlog::earliestOffset);
        assertEquals(Map.of(P0, new OffsetAndMetadata(6)), held);
        positions.committed(held);

        backlog.take(1); // answered
        assertEquals(Map.of(P0, new OffsetAndMetadata(10)), positions.toCommit(backlog::earliestOffset));
    }

    @Test
    void aRevokedPartitionIsForgotten() {
        positions.processed(P0, 10);
        positions.forget(List.of(P0));

        assertEquals(Map.of(), positions.toCommit(tp -> OptionalLong.empty()));
    }
}
