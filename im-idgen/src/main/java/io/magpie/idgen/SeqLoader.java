package io.magpie.idgen;

/**
 * Where a {@link ConversationSeqAllocator} learns a conversation's last stored seq (usually
 * {@code MessageRepository::maxSeq}: MySQL, the truth).
 */
@FunctionalInterface
public interface SeqLoader {

    /** The highest seq stored for the conversation, 0 if it has no message. */
    long maxSeq(String conversationId);
}
