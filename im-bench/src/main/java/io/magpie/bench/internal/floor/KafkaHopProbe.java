package io.magpie.bench.internal.floor;

import io.magpie.bus.BusClients;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * One record through Kafka with the bus's own client settings ({@link BusClients}: an idempotent
 * {@code acks=all} producer without linger, a consumer whose next fetch already waits at the broker): from
 * {@code send} to the record returned by the consumer's {@code poll}, as a SEND travels gate -> logic and a
 * push task logic -> router. The topic is this run's own (one partition, the broker's default replication, as
 * the bus's topics), deleted at the end.
 */
public final class KafkaHopProbe implements FloorProbe {

    private static final Duration POLL_LIMIT = Duration.ofSeconds(10);
    private static final int SETUP_SECONDS = 30;
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(5);

    private final String bootstrap;
    private final Admin admin;
    private final String topic;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;

    /**
     * Creates the run's topic and the two clients, and waits until the consumer is at the topic's end.
     *
     * @param runId names the topic, so runs never share one
     * @throws IllegalStateException Kafka did not create the topic or hand the first record back in time
     */
    public KafkaHopProbe(String bootstrap, String runId) throws InterruptedException {
        this.bootstrap = bootstrap;
        admin = Admin.create(adminConfigFor(bootstrap));
        topic = "magpie-bench.hop-floor-" + runId;
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all()
                    .get(SETUP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            admin.close(CLOSE_LIMIT);
            throw new IllegalStateException("Kafka at " + bootstrap + " refused to create the probe's topic " + topic
                    + " (" + e.getCause() + ")", e);
        } catch (TimeoutException | InterruptedException e) {
            admin.close(CLOSE_LIMIT);
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            // a broker this slow may still create it later: say how to remove it rather than wait longer here
            throw new IllegalStateException("Kafka at " + bootstrap + " did not create the probe's topic " + topic
                    + " within " + SETUP_SECONDS + " s; is the server running? Its 'ready' line names its Kafka. If"
                    + " the topic appears later, delete it: " + deleteCommand(), e);
        }
        try {
            producer = new KafkaProducer<>(BusClients.producer(bootstrap, "magpie-bench-hop-floor", 0));
            consumer = new KafkaConsumer<>(BusClients.consumer(bootstrap, "magpie-bench-hop-floor-" + runId,
                    "magpie-bench-hop-floor", 1));
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition, Duration.ofSeconds(SETUP_SECONDS));
            // the producer's first send waits for the topic's metadata: not part of any sample
            producer.send(new ProducerRecord<>(topic, "warm", new byte[Long.BYTES]))
                    .get(SETUP_SECONDS, TimeUnit.SECONDS);
            awaitRecord(Long.MIN_VALUE);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            IllegalStateException failed = new IllegalStateException("Kafka at " + bootstrap + " did not take and hand"
                    + " back the probe's first record within " + SETUP_SECONDS + " s: " + e, e);
            closeAfter(failed);
            throw failed;
        } catch (IllegalStateException | InterruptedException e) {
            closeAfter(e);
            throw e;
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
                        sendFailure.compareAndSet(null, error);
                    }
                });
        return awaitRecord(sentAt) - sentAt;
    }

    /** Polls until the record stamped {@code sentAt} arrives (any record while warming); returns when. */
    private long awaitRecord(long sentAt) {
        long end = System.nanoTime() + POLL_LIMIT.toNanos();
        while (System.nanoTime() < end) {
            Exception failed = sendFailure.get();
            if (failed != null) {
                throw new IllegalStateException("Kafka at " + bootstrap + " refused a record of " + topic + ": "
                        + failed, failed);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_LIMIT)) {
                long now = System.nanoTime();
                if (sentAt == Long.MIN_VALUE || ByteBuffer.wrap(record.value()).getLong() == sentAt) {
                    return now;
                }
            }
        }
        throw new IllegalStateException("the record sent to " + topic + " did not come back within " + POLL_LIMIT
                + "; is Kafka at " + bootstrap + " healthy?");
    }

    /** Closes what the constructor made after it failed with {@code cause}, which keeps any error of closing. */
    private void closeAfter(Exception cause) {
        try {
            close();
        } catch (InterruptedException | RuntimeException closing) {
            if (closing instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            cause.addSuppressed(closing);
        }
    }

    /** Closes both clients and deletes the topic; a topic left behind is named on stderr, not thrown. */
    @Override
    public void close() throws InterruptedException {
        try {
            if (consumer != null) {
                consumer.close(CloseOptions.timeout(CLOSE_LIMIT));
            }
        } finally {
            try {
                if (producer != null) {
                    producer.close(CLOSE_LIMIT);
                }
            } finally {
                try {
                    admin.deleteTopics(List.of(topic)).all().get(SETUP_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException | KafkaException e) {
                    System.err.println("hop-floor: the probe's topic " + topic + " was not deleted (" + e + ");"
                            + " delete it by hand: " + deleteCommand());
                } finally {
                    admin.close(CLOSE_LIMIT);
                }
            }
        }
    }

    private String deleteCommand() {
        return "kafka-topics.sh --bootstrap-server " + bootstrap + " --delete --topic " + topic;
    }

    private static Properties adminConfigFor(String bootstrap) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(SETUP_SECONDS));
        return config;
    }
}
