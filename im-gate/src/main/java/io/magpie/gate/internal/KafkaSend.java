package io.magpie.gate.internal;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka's callback-style send as a CompletableFuture. Stateless. */
final class KafkaSend {

    private KafkaSend() {
    }

    /**
     * Sends one record. {@code Producer.send} can throw instead of calling back (serialization, or
     * waiting longer than {@code max.block.ms} for metadata or buffer space); both paths end up as a
     * failed future so the caller has one place to answer the client.
     */
    static CompletableFuture<Void> send(Producer<String, byte[]> producer, String topic, String key, byte[] value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }
}
