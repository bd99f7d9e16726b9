package io.magpie.logic.internal;

import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A read request served by logic (step 9's catch-up): answered to exactly the connection that sent
 * it, never written. Immutable.
 */
public sealed interface QueryCommand permits QueryCommand.Sync, QueryCommand.Pull {

    /** The gate's envelope: the authenticated uid and the reply address. */
    UpstreamEnvelope envelope();

    default long uid() {
        return envelope().getUid();
    }

    /**
     * SYNC: the caller's conversations changed after {@code sinceVersion}.
     *
     * @param limit most conversations in the answer, already clamped to 1..{@link QueryParser#MAX_LIMIT}
     */
    record Sync(UpstreamEnvelope envelope, long sinceVersion, int limit) implements QueryCommand {
    }

    /**
     * PULL: messages of one conversation with {@code fromSeq <= seq <= toSeq}.
     *
     * @param fromSeq at least 1
     * @param toSeq   {@link Long#MAX_VALUE} for "up to the newest"
     * @param limit   most messages in the answer, already clamped to 1..{@link QueryParser#MAX_LIMIT}
     * @param backward the newest {@code limit} of the range instead of the oldest (history paging)
     * @param sinceVersion above 0: instead of a seq range, the messages whose version (or, for the caller's
     *                     deletions, whose deletion) is above it, ascending by version
     */
    record Pull(UpstreamEnvelope envelope, String conversationId, long fromSeq, long toSeq, int limit,
            boolean backward, long sinceVersion) implements QueryCommand {

        /** A seq-range PULL. */
        public Pull(UpstreamEnvelope envelope, String conversationId, long fromSeq, long toSeq, int limit,
                boolean backward) {
            this(envelope, conversationId, fromSeq, toSeq, limit, backward, 0);
        }
    }
}
