package io.magpie.client;

import java.util.OptionalLong;

/**
 * What a {@link MagpieClient} remembers between connections so that it delivers every message once
 * and in order: the conversation-list version of its last complete SYNC, and per conversation the
 * highest seq delivered to the application (every seq up to it was delivered or deliberately
 * skipped). {@link InMemoryClientState} is the default; an app that persists an implementation
 * (a small table, a file) keeps exactly-once delivery across restarts of the app too.
 *
 * <p>Contract: a value read back is the last one saved (or an earlier one after a crash: the client
 * then re-pulls and the application sees those messages again). Values only rise; the client never
 * saves a lower one. Calls come from the client's event loop while it delivers, so they must be quick
 * and must not block on I/O for long (write behind if needed). Implementations must be thread-safe.
 */
public interface ClientState {

    /** The {@code SyncAck.version} of the last complete sync, 0 if this state never completed one. */
    long syncVersion();

    void saveSyncVersion(long version);

    /** The highest seq of {@code conversationId} delivered to the app; empty if the conversation is unknown. */
    OptionalLong lastDelivered(String conversationId);

    void saveLastDelivered(String conversationId, long seq);

    /**
     * The highest message version of {@code conversationId} this client knows of (a delivered or sent message's,
     * a recall's, or one of this user's deletions'); empty if none. After a reconnect the client asks for the
     * conversation's changes after it (PULL {@code since_version}, docs/PROTOCOL.md §9.5) to learn the recalls
     * and deletions it missed. A state that does not keep it (the default) loses that catch-up across app
     * restarts only: the client then learns of a missed recall when it PULLs the message again.
     */
    default OptionalLong knownVersion(String conversationId) {
        return OptionalLong.empty();
    }

    /** Keeps {@code version} as {@link #knownVersion} if it is higher than the one kept. */
    default void saveKnownVersion(String conversationId, long version) {
    }
}
