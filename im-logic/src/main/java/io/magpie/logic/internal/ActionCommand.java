package io.magpie.logic.internal;

import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A request that changes conversation state rather than adding a message (READ, RECALL), parsed and
 * shape-checked; whether the caller may do it is decided against storage when it is applied.
 * Immutable.
 */
public sealed interface ActionCommand permits ActionCommand.Read, ActionCommand.Recall {

    /** The gate's envelope: the authenticated uid and the reply address. */
    UpstreamEnvelope envelope();

    /** The conversation, as the client named it (checked for shape). */
    ConversationRef conversation();

    default long uid() {
        return envelope().getUid();
    }

    /** READ: the caller has read {@code conversation} up to and including {@code readSeq} (at least 1). */
    record Read(UpstreamEnvelope envelope, ConversationRef conversation, long readSeq) implements ActionCommand {
    }

    /** RECALL of the message at {@code seq} (at least 1). */
    record Recall(UpstreamEnvelope envelope, ConversationRef conversation, long seq) implements ActionCommand {
    }
}
