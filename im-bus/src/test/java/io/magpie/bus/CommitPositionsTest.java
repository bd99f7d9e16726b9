package io.magpie.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitPositionsTest {

    private static final TopicPartition P0 = new TopicPartition("push", 0);

    private final CommitPositions positions = new CommitPositions();

    private Map<TopicPartition, OffsetAndMetadata> toCommit() {
        return positions.toCommit(tp -> OptionalLong.empty());
    }

    @Test
    void anOfferOnItsWayIsNotOfferedAgainAndAFailedOneIsOfferedFromTheLastConfirmedPosition() {
        positions.processed(P0, 5);
        Map<TopicPartition, OffsetAndMetadata> first = toCommit();
        assertEquals(Map.of(P0, new OffsetAndMetadata(5)), first);
        positions.offered(first);
        assertEquals(Map.of(), toCommit(), "on its way: not again");

        positions.failed(first);
        assertEquals(Map.of(P0, new OffsetAndMetadata(5)), toCommit(), "failed: offered again");
        positions.committed(first);
        assertEquals(Map.of(), toCommit());
    }

    @Test
    void theFailureOfAnEarlierOfferDoesNotUndoALaterOneOnItsWay() {
        positions.processed(P0, 5);
        Map<TopicPartition, OffsetAndMetadata> first = toCommit();
        positions.offered(first);
        positions.processed(P0, 9);
        Map<TopicPartition, OffsetAndMetadata> second = toCommit();
        assertEquals(Map.of(P0, new OffsetAndMetadata(9)), second);
        positions.offered(second);

        positions.failed(first);
        assertEquals(Map.of(), toCommit(), "the later offer (9) covers the failed one");
        positions.failed(second);
        assertEquals(Map.of(P0, new OffsetAndMetadata(9)), toCommit(), "both failed, nothing confirmed: from scratch");
    }

    @Test
    void aCeilingHoldsTheCommitBackAndForgettingAPartitionDropsItsPositions() {
        positions.processed(P0, 7);
        assertEquals(Map.of(P0, new OffsetAndMetadata(3)), positions.toCommit(tp -> OptionalLong.of(3)));
        positions.committed(Map.of(P0, new OffsetAndMetadata(3)));
        positions.forget(java.util.List.of(P0));
        assertEquals(Map.of(), toCommit());
    }
}
