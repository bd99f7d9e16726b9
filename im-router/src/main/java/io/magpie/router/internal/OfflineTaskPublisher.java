package io.magpie.router.internal;

import io.magpie.protocol.proto.OfflineTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Step 7's other exit: a recipient with no route is offline, so a push notification task goes to
 * the {@code offline} topic (key = uid) for the notification worker. Thread-safe (the producer is).
 */
public final class OfflineTaskPublisher {

    private final Producer<String, byte[]> producer;
    private final String topic;

    public OfflineTaskPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Completes when Kafka acknowledged every task (acks=all). */
    public CompletableFuture<Void> publish(List<OfflineTask> tasks) {
        if (tasks.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(tasks.size());
        for (OfflineTask task : tasks) {
            CompletableFuture<Void> ack = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(topic, Long.toString(task.getUid()), task.toByteArray()),
                    (metadata, e) -> {
                        if (e != null) {
                            ack.completeExceptionally(e);
                        } else {
                            ack.complete(null);
                        }
                    });
            acks.add(ack);
        }
        producer.flush();
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }
}
