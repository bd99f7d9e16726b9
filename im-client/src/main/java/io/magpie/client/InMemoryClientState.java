package io.magpie.client;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link ClientState}: kept in memory for the life of the process (across reconnects of
 * a client, and shared by the clients it is given to). It is the product's client-side cache, so a
 * restarted app starts from version 0 and syncs - and pulls - its conversations again. Two entries per
 * conversation ever seen. Thread-safe; saved values never go down.
 */
public final class InMemoryClientState implements ClientState {

    private final Map<String, Long> lastDelivered = new ConcurrentHashMap<>();
    private final Map<String, Long> knownVersions = new ConcurrentHashMap<>();
    private volatile long syncVersion;

    @Override
    public long syncVersion() {
        return syncVersion;
    }

    @Override
    public synchronized void saveSyncVersion(long version) {
        syncVersion = Math.max(syncVersion, version);
    }

    @Override
    public OptionalLong lastDelivered(String conversationId) {
        Long seq = lastDelivered.get(conversationId);
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    @Override
    public void saveLastDelivered(String conversationId, long seq) {
        lastDelivered.merge(conversationId, seq, Math::max);
    }

    @Override
    public OptionalLong knownVersion(String conversationId) {
        Long version = knownVersions.get(conversationId);
        return version == null ? OptionalLong.empty() : OptionalLong.of(version);
    }

    @Override
    public void saveKnownVersion(String conversationId, long version) {
        knownVersions.merge(conversationId, version, Math::max);
    }
}
