package io.magpie.bench.internal.floor;

import io.magpie.bus.BusClients;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One record through Kafka with the bus's own client settings ({@link BusClients}: an idempotent
 * {@code acks=all} producer without linger, a consumer whose next fetch already waits at the broker): from
 * {@code send} to the record returned by the consumer's {@code poll}, as a SEND travels gate -> logic and a
 * push task logic -> router. The topic is this run's own (one partition), deleted at the end.
 */
public final class KafkaHopProbe implements FloorProbe {

    private static final Duration POLL_LIMIT = Duration.ofSeconds(10);
    private static final int SETUP_SECONDS = 30;

    private final Admin admin;
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;

    /** Creates the run's topic and the two clients, and waits until the consumer is at the topic's end. */
    public KafkaHopProbe(String bootstrap, String runId) throws Exception {
        Properties adminConfig = new Properties();
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(SETUP_SECONDS));
        admin = Admin.create(adminConfig);
        topic = "magpie-bench.hop-floor-" + runId;
        KafkaProducer<String, byte[]> newProducer = null;
        KafkaConsumer<String, byte[]> newConsumer = null;
        try {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all()
                        .get(SETUP_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Kafka at " + bootstrap + " did not create the probe's topic " + topic
                        + " within " + SETUP_SECONDS + " s (" + e + "); is the server running? Its 'ready' line"
                        + " names its Kafka", e);
            }
            newProducer = new KafkaProducer<>(BusClients.producer(bootstrap, "magpie-bench-hop-floor", 0));
            newConsumer = new KafkaConsumer<>(BusClients.consumer(bootstrap, "magpie-bench-hop-floor-" + runId,
                    "magpie-bench-hop-floor", 1));
        } catch (Exception | Error e) {
            closeQuietly(newProducer, newConsumer, e);
            throw e;
        }
        producer = newProducer;
        consumer = newConsumer;
        try {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition, Duration.ofSeconds(SETUP_SECONDS));
            // the producer's first send waits for the topic's metadata: not part of any sample
            producer.send(new ProducerRecord<>(topic, "warm", new byte[Long.BYTES]))
                    .get(SETUP_SECONDS, TimeUnit.SECONDS);
            awaitRecord(Long.MIN_VALUE);
        } catch (Exception | Error e) {
            try {
                close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private void closeQuietly(KafkaProducer<String, byte[]> newProducer, KafkaConsumer<String, byte[]> newConsumer,
            Throwable cause) {
        try (admin) {
            if (newConsumer != null) {
                newConsumer.close(Duration.ofSeconds(5));
            }
            if (newProducer != null) {
                newProducer.close(Duration.ofSeconds(5));
            }
        } catch (RuntimeException closing) {
            cause.addSuppressed(closing);
        }
    }

    @Override
    public String name() {
        return "kafka_hop";
    }

    @Override
    public String description() {
        return "producer send -> the record returned by the consumer's poll";
    }

    @Override
    public long sampleNanos() {
        long sentAt = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, "hop", ByteBuffer.allocate(Long.BYTES).putLong(sentAt).array()),
                (metadata, error) -> {
                    if (error != null) {
                        System.err.println("hop-floor: a record was not acknowledged by Kafka: " + error);
                    }
                });
        return awaitRecord(sentAt) - sentAt;
    }

    /** Polls until the record stamped {@code sentAt} arrives (any record while warming); returns when. */
    private long awaitRecord(long sentAt) {
        long end = System.nanoTime() + POLL_LIMIT.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_LIMIT)) {
                long now = System.nanoTime();
                if (sentAt == Long.MIN_VALUE || ByteBuffer.wrap(record.value()).getLong() == sentAt) {
                    return now;
                }
            }
        }
        throw new IllegalStateException("the record sent to " + topic + " did not come back within " + POLL_LIMIT
                + "; is Kafka at the given --kafka reachable and healthy?");
    }

    @Override
    public void close() throws Exception {
        try (admin) {
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
            admin.deleteTopics(List.of(topic)).all().get(SETUP_SECONDS, TimeUnit.SECONDS);
        }
    }
}
