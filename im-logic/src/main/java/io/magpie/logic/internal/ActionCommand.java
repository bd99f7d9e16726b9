package io.magpie.logic.internal;

import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A request that changes conversation state rather than adding a message (READ, RECALL, DELETE, CLEAR), parsed and
 * shape-checked; whether the caller may do it is decided against storage when it is applied.
 * Immutable.
 */
public sealed interface ActionCommand permits ActionCommand.Read, ActionCommand.Recall, ActionCommand.Delete,
        ActionCommand.Clear, ActionCommand.React, ActionCommand.Edit {

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

    /** DELETE for the caller only of the messages at {@code seqs} (1 to {@link io.magpie.das.OwnHistory#MAX_SEQS}, each at least 1). */
    record Delete(UpstreamEnvelope envelope, ConversationRef conversation, java.util.Set<Long> seqs)
            implements ActionCommand {

        public Delete {
            seqs = java.util.Set.copyOf(seqs);
        }
    }

    /** REACT to the message at {@code seq}: set the caller's reaction to {@code emoji}, or take it back (null). */
    record React(UpstreamEnvelope envelope, ConversationRef conversation, long seq, String emoji)
            implements ActionCommand {
    }

    /** EDIT of the caller's message at {@code seq}: its new content, not yet checked against its type. */
    record Edit(UpstreamEnvelope envelope, ConversationRef conversation, long seq,
                io.magpie.protocol.proto.MessageContent content) implements ActionCommand {
    }

    /** CLEAR of the caller's view up to and including {@code upToSeq} (0: up to the newest message). */
    record Clear(UpstreamEnvelope envelope, ConversationRef conversation, long upToSeq) implements ActionCommand {
    }
}
