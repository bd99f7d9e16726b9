package io.magpie.gate.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The gate's way onto the bus: never waits in the caller's thread, bounded in bytes gate-wide. */
class KafkaSendTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A producer whose send blocks, as KafkaProducer does for max.block.ms when Kafka is down. */
    private static final class StuckProducer extends MockProducer<String, byte[]> {
        final CountDownLatch release = new CountDownLatch(1);

        StuckProducer() {
            super(false, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.send(record, callback);
        }
    }

    @Test
    void aProducerThatBlocksNeverHoldsTheCallerAndTheBacklogIsRefusedPastTheBound() {
        StuckProducer producer = new StuckProducer();
        try (KafkaSend bus = new KafkaSend(producer, 1000, "test-publish")) {
            CompletableFuture<Void> first = assertTimeoutPreemptively(WAIT,
                    () -> bus.send("upstream", "k", new byte[400]), "the caller does not wait for a stuck producer");
            CompletableFuture<Void> second = bus.send("upstream", "k", new byte[400]);
            CompletableFuture<Void> third = bus.send("upstream", "k", new byte[400]);

            assertFalse(first.isDone());
            CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    third::join);
            assertInstanceOf(KafkaSend.Backlogged.class, refused.getCause(),
                    "past gate.limits.publish-buffer-bytes a request is refused at once");
            assertTrue(refused.getCause().getMessage().contains("gate.limits.publish-buffer-bytes=1000"));

            producer.release.countDown();
            await().atMost(WAIT).until(() -> producer.history().size() == 2);
            assertTrue(producer.completeNext());
            assertTrue(producer.completeNext());
            first.join();
            second.join();
            assertEquals(0, bus.pendingBytes(), "acknowledged records no longer count");
            CompletableFuture<Void> after = bus.send("upstream", "k", new byte[400]);
            await().atMost(WAIT).until(() -> producer.history().size() == 3);
            producer.completeNext();
            after.join();
        }
    }

    @Test
    void aFailedSendReleasesItsBytesAndFailsTheFuture() {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());
        try (KafkaSend bus = new KafkaSend(producer, 1000, "test-publish")) {
            CompletableFuture<Void> sent = bus.send("upstream", "k", new byte[100]);
            await().atMost(WAIT).until(() -> producer.history().size() == 1);
            producer.errorNext(new IllegalStateException("broker gone"));
            assertInstanceOf(IllegalStateException.class,
                    org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, sent::join).getCause());
            assertEquals(0, bus.pendingBytes());
        }
    }
}
