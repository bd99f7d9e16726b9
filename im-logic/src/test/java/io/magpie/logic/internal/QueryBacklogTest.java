package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class QueryBacklogTest {

    private static final TopicPartition P0 = new TopicPartition("up", 0);
    private static final TopicPartition P1 = new TopicPartition("up", 1);

    private final QueryBacklog backlog = new QueryBacklog(4);

    @Test
    void queriesAreAnsweredOldestFirstInBoundedTurns() {
        backlog.addAll(List.of(q(P0, 5), q(P1, 2), q(P0, 9)));

        assertEquals(List.of(q(P0, 5), q(P1, 2)), backlog.take(2));
        assertEquals(List.of(q(P0, 9)), backlog.take(2));
        assertEquals(List.of(), backlog.take(2));
    }

    @Test
    void theRoomIsBoundedAndAFailedTurnGoesBackToTheFront() {
        backlog.addAll(List.of(q(P0, 1), q(P0, 2), q(P0, 3)));
        assertEquals(1, backlog.room());
        assertThrows(IllegalStateException.class, () -> backlog.addAll(List.of(q(P0, 4), q(P0, 5))));

        List<PendingQuery> turn = backlog.take(2);
        backlog.returnToFront(turn);

        assertEquals(List.of(q(P0, 1), q(P0, 2), q(P0, 3)), backlog.take(10));
    }

    @Test
    void theEarliestWaitingOffsetPerPartitionHoldsItsCommitAndRevokedPartitionsAreDropped() {
        backlog.addAll(List.of(q(P0, 5), q(P1, 2), q(P0, 9)));

        assertEquals(OptionalLong.of(5), backlog.earliestOffset(P0));
        assertEquals(OptionalLong.of(2), backlog.earliestOffset(P1));
        assertEquals(1, backlog.dropPartitions(List.of(P1)));
        assertEquals(OptionalLong.empty(), backlog.earliestOffset(P1));
        assertEquals(2, backlog.size());
    }

    @Test
    void aRewindDropsTheQueriesFromItsOffsetOnInThePartitionsItNames() {
        QueryBacklog bigger = new QueryBacklog(8);
        TopicPartition p2 = new TopicPartition("up", 2);
        bigger.addAll(List.of(q(P0, 5), q(P1, 2), q(P0, 9), q(P1, 7), q(p2, 1)));

        assertEquals(2, bigger.dropFrom(Map.of(P0, 6L, P1, 7L)));
        assertEquals(List.of(q(P0, 5), q(P1, 2), q(p2, 1)), bigger.take(10), "a partition not named keeps its own");
    }

    static PendingQuery q(TopicPartition tp, long offset) {
        return new PendingQuery(tp, offset, new QueryCommand.Sync(Sends.envelope(1, 1, (int) offset, 9, new byte[0]),
                0, 10));
    }
}
