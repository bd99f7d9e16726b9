package io.magpie.router.notify;

import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.MuteSettings;
import io.magpie.das.Topics;
import io.magpie.das.bus.Backoff;
import io.magpie.router.notify.internal.NotificationPlanner;
import io.magpie.router.notify.internal.NotificationSender;
import io.magpie.router.notify.internal.OfflineTaskConsumer;
import io.magpie.router.notify.internal.RetryPolicy;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier worker (role {@code notifier}): consumes {@code offline} ({@code OfflineTask}s written by
 * routers for recipients without a route) in consumer group {@code <prefix>notifier}, and sends each
 * task to every push token its user registered, through the {@link PushNotifier} of the token's
 * provider - unless the user muted the conversation. Retryable failures are retried with exponential
 * backoff up to {@link NotifierConfig#maxAttempts()}, then logged and skipped, so one dead endpoint
 * never holds a partition; offsets are committed after each batch is done or given up. Delivery is
 * at least once (a crash mid-batch sends the batch again).
 *
 * <p>Storage is read with blocking JDBC on the worker's own thread. Lifecycle: {@link #start()} once,
 * {@link #close()} once (stops retry waits; an unfinished batch stays uncommitted). The repositories and
 * the notifiers are owned by the caller. Thread-safe.
 */
public final class NotifierService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotifierService.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final NotifierConfig config;
    private final DeviceTokenRepository tokens;
    private final MuteSettings mutes;
    private final PushNotifierRegistry notifiers;
    private OfflineTaskConsumer consumer;
    private Thread thread;

    public NotifierService(NotifierConfig config, DeviceTokenRepository tokens, MuteSettings mutes,
            PushNotifierRegistry notifiers) {
        this.config = config;
        this.tokens = tokens;
        this.mutes = mutes;
        this.notifiers = notifiers;
    }

    public synchronized NotifierService start() {
        if (thread != null) {
            throw new IllegalStateException("notifier already started");
        }
        Topics topics = new Topics(config.topicPrefix());
        CountDownLatch stopping = new CountDownLatch(1);
        NotificationSender sender = new NotificationSender(notifiers,
                new RetryPolicy(config.maxAttempts(), config.retryBackoffMin(), config.retryBackoffMax()),
                config.sendTimeout(), OfflineTaskConsumer.pauseOn(stopping));
        NotificationPlanner planner = new NotificationPlanner(tokens::findByUids, mutes::muted);
        consumer = new OfflineTaskConsumer(new KafkaConsumer<>(consumerProperties()), topics.offline(), planner,
                sender, new Backoff(config.retryBackoffMin(), config.retryBackoffMax()), stopping);
        thread = new Thread(consumer, "notifier-offline-consumer");
        thread.start();
        log.info("[notifier] consuming {} as group {}; providers {}", topics.offline(), config.consumerGroup(),
                notifiers.providers());
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
                log.warn("[notifier] offline consumer did not stop within {}", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread = null;
            log.info("[notifier] stopped");
        }
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        // a batch in retries must not cost the worker its partitions
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, config.maxBatchDuration().toMillis()));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-offline");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }
}
