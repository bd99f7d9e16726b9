package io.magpie.gate.internal;

import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Produces envelopes to the {@code upstream} topic. Through the gate's {@link KafkaSend}, so
 * never from an event loop. Thread-safe; does not own the sender.
 */
public final class KafkaUpstreamPublisher implements UpstreamPublisher {

    private final KafkaSend sender;
    private final String topic;

    public KafkaUpstreamPublisher(KafkaSend sender, String topic) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public CompletableFuture<Void> publish(String key, UpstreamEnvelope envelope) {
        return sender.send(topic, key, envelope.toByteArray());
    }
}
