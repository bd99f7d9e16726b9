package io.magpie.router;

import io.magpie.registry.GateRegistry;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.bus.Backoff;
import io.magpie.bus.BusClients;
import io.magpie.bus.ConsumerLoop;
import io.magpie.router.internal.GatePushClient;
import io.magpie.router.internal.OfflineTaskPublisher;
import io.magpie.router.internal.PushDispatcher;
import io.magpie.router.internal.PushTaskConsumer;
import io.magpie.router.internal.RouterMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Objects;

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
    private final MeterRegistry meters;
    private KafkaClientMetrics consumerMetrics;
    private KafkaProducer<String, byte[]> producer;
    private GatePushClient client;
    private volatile PushTaskConsumer consumer;
    private Thread thread;

    public RouterService(RouterConfig config, RouteTable routes, GateRegistry gates, Clock clock) {
        this(config, routes, gates, clock, new CompositeMeterRegistry());
    }

    /** @param meters where the router's meters go ({@code magpie_router_*}); owned by the caller */
    public RouterService(RouterConfig config, RouteTable routes, GateRegistry gates, Clock clock, MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters");
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
        client = new GatePushClient(config.connectTimeout(), config.pushTimeout(), config.maxFrameBytes(),
                config.clusterSecret(), config.routerId(), config.maxAckTimeouts(), config.linkPingInterval());
        PushDispatcher dispatcher = new PushDispatcher(routes, gates, client,
                new OfflineTaskPublisher(producer, topics.offline()),
                config.pushTimeout().plus(config.connectTimeout()), clock, new RouterMetrics(meters));
        KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerProperties());
        // the consumer's own metrics (records-lag-max and friends), tagged with its client id
        consumerMetrics = new KafkaClientMetrics(kafka);
        consumerMetrics.bindTo(meters);
        consumer = new PushTaskConsumer(kafka, topics.push(), dispatcher,
                new Backoff(config.retryBackoffMin(), config.retryBackoffMax()), clock);
        thread = new Thread(consumer, "router-push-consumer");
        thread.start();
        log.info("[router] consuming {} as group {}", topics.push(), config.consumerGroup());
        return this;
    }

    /**
     * Live = its push loop neither ended nor wedged (no poll returned for
     * {@link ConsumerLoop#DEFAULT_STALL_LIMIT}): only a restart would bring delivery back. True
     * before {@link #start()}.
     */
    public boolean live() {
        PushTaskConsumer loop = consumer;
        return loop == null || loop.status(ConsumerLoop.DEFAULT_STALL_LIMIT) == ConsumerLoop.Status.POLLING;
    }

    /** Ready = started and its push loop polls. */
    public boolean ready() {
        PushTaskConsumer loop = consumer;
        return loop != null && loop.status(ConsumerLoop.DEFAULT_STALL_LIMIT) == ConsumerLoop.Status.POLLING;
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
            } else {
                // one INFO line per step: the stop order is documented (operations.md §5) and tested from the log
                log.info("[router] stop: push consumer closed (batch in flight done), left group {}",
                        config.consumerGroup());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(Duration.ofSeconds(5));
            log.info("[router] stop: offline producer flushed and closed");
            client.close();
            log.info("[router] stop: gate connections closed");
            consumerMetrics.close();
            thread = null;
            log.info("[router] stopped");
        }
    }

    private Properties consumerProperties() {
        return BusClients.consumer(config.kafkaBootstrap(), config.consumerGroup(),
                config.consumerGroup() + "-push", config.maxPollRecords());
    }

    private Properties producerProperties() {
        return BusClients.producer(config.kafkaBootstrap(), config.consumerGroup() + "-offline", 1);
    }
}
