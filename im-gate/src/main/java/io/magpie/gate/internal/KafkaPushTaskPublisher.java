package io.magpie.gate.internal;

import io.magpie.protocol.proto.PushTask;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;

/** Produces push tasks to the {@code push} topic. Thread-safe; does not own the producer. */
public final class KafkaPushTaskPublisher implements PushTaskPublisher {

    private final Producer<String, byte[]> producer;
    private final String topic;

    public KafkaPushTaskPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public CompletableFuture<Void> publish(String key, PushTask task) {
        return KafkaSend.send(producer, topic, key, task.toByteArray());
    }
}
