package io.magpie.gate.internal;

import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;

/**
 * Produces envelopes to the {@code upstream} topic. Thread-safe (the Kafka producer is); does not
 * own the producer.
 */
public final class KafkaUpstreamPublisher implements UpstreamPublisher {

    private final Producer<String, byte[]> producer;
    private final String topic;

    public KafkaUpstreamPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public CompletableFuture<Void> publish(String key, UpstreamEnvelope envelope) {
        return KafkaSend.send(producer, topic, key, envelope.toByteArray());
    }
}
