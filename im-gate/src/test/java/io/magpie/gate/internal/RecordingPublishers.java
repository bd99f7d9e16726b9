package io.magpie.gate.internal;

import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Unit-test seams for the two bus interfaces: record what was published, optionally fail. */
final class RecordingPublishers {

    private RecordingPublishers() {
    }

    static final class Upstream implements UpstreamPublisher {
        final List<Map.Entry<String, UpstreamEnvelope>> published = new ArrayList<>();
        RuntimeException failWith;

        @Override
        public CompletableFuture<Void> publish(String key, UpstreamEnvelope envelope) {
            if (failWith != null) {
                return CompletableFuture.failedFuture(failWith);
            }
            published.add(Map.entry(key, envelope));
            return CompletableFuture.completedFuture(null);
        }
    }

    static final class Push implements PushTaskPublisher {
        final List<Map.Entry<String, PushTask>> published = new ArrayList<>();

        @Override
        public CompletableFuture<Void> publish(String key, PushTask task) {
            published.add(Map.entry(key, task));
            return CompletableFuture.completedFuture(null);
        }
    }
}
