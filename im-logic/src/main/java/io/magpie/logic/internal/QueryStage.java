package io.magpie.logic.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The read side of the upstream loop: after each SEND batch, answers up to {@code perTurn} of the
 * oldest waiting SYNC/PULL requests and publishes the answers. If Kafka does not take the answers,
 * the queries go back to the front of the backlog for the next turn (their offsets stay
 * uncommitted meanwhile). Not thread-safe: the upstream consumer's thread.
 */
public final class QueryStage {

    private final QueryProcessor processor;
    private final PushTaskPublisher publisher;
    private final QueryBacklog backlog;
    private final int perTurn;

    public QueryStage(QueryProcessor processor, PushTaskPublisher publisher, QueryBacklog backlog, int perTurn) {
        this.processor = processor;
        this.publisher = publisher;
        this.backlog = backlog;
        this.perTurn = perTurn;
    }

    public QueryBacklog backlog() {
        return backlog;
    }

    /**
     * @return how many queries were answered
     * @throws BatchRetryException if Kafka did not take the answers (the queries wait for the next turn)
     */
    public int answerTurn() throws BatchRetryException {
        List<PendingQuery> turn = backlog.take(perTurn);
        if (turn.isEmpty()) {
            return 0;
        }
        List<QueryCommand> queries = new ArrayList<>(turn.size());
        turn.forEach(p -> queries.add(p.query()));
        try {
            publisher.publishAll(processor.answer(queries));
            return turn.size();
        } catch (BatchRetryException e) {
            backlog.returnToFront(turn);
            throw new BatchRetryException("answers to " + turn.size() + " SYNC/PULL requests were not taken by Kafka;"
                    + " they wait for the next turn: " + e.getMessage(), true, e);
        }
    }
}
