package io.magpie.router;

import io.magpie.das.GateRegistry;
import io.magpie.das.RouteTable;
import io.magpie.das.Topics;
import io.magpie.das.bus.Backoff;
import io.magpie.router.internal.GatePushClient;
import io.magpie.router.internal.OfflineTaskPublisher;
import io.magpie.router.internal.PushDispatcher;
import io.magpie.router.internal.PushTaskConsumer;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router role (step 7): consumes {@code push}, looks up routes in the {@link RouteTable},
 * pushes to gates found in the {@link GateRegistry} over one long-lived connection per gate, and
 * turns recipients without a route into {@code offline} tasks. Offsets are committed only after
 * every registered gate acknowledged the batch.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once (graceful: the batch in flight
 * finishes). The route table and registry are owned by the caller. Thread-safe.
 */
public final class RouterService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RouterService.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final RouterConfig config;
    private final RouteTable routes;
    private final GateRegistry gates;
    private final Clock clock;
    private KafkaProducer<String, byte[]> producer;
    private GatePushClient client;
    private PushTaskConsumer consumer;
    private Thread thread;

    public RouterService(RouterConfig config, RouteTable routes, GateRegistry gates, Clock clock) {
        this.config = config;
        this.routes = routes;
        this.gates = gates;
        this.clock = clock;
    }

    public synchronized RouterService start() {
        if (thread != null) {
            throw new IllegalStateException("router already started");
        }
        Topics topics = new Topics(config.topicPrefix());
        producer = new KafkaProducer<>(producerProperties());
        client = new GatePushClient(config.connectTimeout(), config.pushTimeout(), config.maxFrameBytes());
        PushDispatcher dispatcher = new PushDispatcher(routes, gates, client,
                new OfflineTaskPublisher(producer, topics.offline()),
                config.pushTimeout().plus(config.connectTimeout()), clock);
        consumer = new PushTaskConsumer(new KafkaConsumer<>(consumerProperties()), topics.push(), dispatcher,
                new Backoff(config.retryBackoffMin(), config.retryBackoffMax()));
        thread = new Thread(consumer, "router-push-consumer");
        thread.start();
        log.info("[router] consuming {} as group {}", topics.push(), config.consumerGroup());
        return this;
    }

    @Override
    public synchronized void close() {
        if (thread == null) {
            return;
        }
        consumer.shutdown();
        try {
            if (!consumer.awaitStopped(STOP_TIMEOUT)) {
                log.warn("[router] push consumer did not stop within {}; closing the rest anyway", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(Duration.ofSeconds(5));
            client.close();
            thread = null;
            log.info("[router] stopped");
        }
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-push");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-offline");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
