package io.magpie.gate.internal;

import io.magpie.protocol.proto.PushTask;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Produces push tasks to the {@code push} topic through the gate's {@link KafkaSend}, so never from an
 * event loop. Thread-safe; does not own the sender.
 */
public final class KafkaPushTaskPublisher implements PushTaskPublisher {

    private final KafkaSend sender;
    private final String topic;

    public KafkaPushTaskPublisher(KafkaSend sender, String topic) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public CompletableFuture<Void> publish(String key, PushTask task) {
        return sender.send(topic, key, task.toByteArray());
    }
}
