package io.magpie.client;

/**
 * Told that another member is typing in a conversation (NOTICE_TYPING, docs/PROTOCOL.md §9.15). A signal is
 * valid for a few seconds: show "typing..." and hide it when no new signal came for about 5 s or a message of
 * that user arrived. Called on the client's event loop: do not block.
 */
@FunctionalInterface
public interface TypingListener {

    void onTyping(String conversationId, long uid);
}
