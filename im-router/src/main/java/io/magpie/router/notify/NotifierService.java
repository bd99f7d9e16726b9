package io.magpie.router.notify;

import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.MuteSettings;
import io.magpie.das.UnreadCounts;
import io.magpie.bus.Topics;
import io.magpie.bus.Backoff;
import io.magpie.bus.BusClients;
import io.magpie.bus.ConsumerLoop;
import io.magpie.bus.ConsumerTuning;
import io.magpie.router.notify.internal.NotificationPlanner;
import io.magpie.router.notify.internal.NotificationSender;
import io.magpie.router.notify.internal.OfflineTaskConsumer;
import io.magpie.router.notify.internal.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import io.magpie.protocol.proto.OfflineTask;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier worker (role {@code notifier}): consumes {@code offline} ({@code OfflineTask}s written by
 * routers for recipients without a route) in consumer group {@code <prefix>notifier}, and sends each
 * task to every push token its user registered, through the {@link PushNotifier} of the token's
 * provider - unless the user muted the conversation or the message was recalled. A token its provider
 * reports dead is removed from {@code device_token}. Retryable failures are retried with exponential
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
    private final MessageRepository messages;
    private final PushNotifierRegistry notifiers;
    private final UnreadCounts unread;
    private volatile OfflineTaskConsumer consumer;
    private Thread thread;

    /** A worker that sends no badges. */
    public NotifierService(NotifierConfig config, DeviceTokenRepository tokens, MuteSettings mutes,
            MessageRepository messages, PushNotifierRegistry notifiers) {
        this(config, tokens, mutes, messages, null, notifiers);
    }

    /**
     * @param messages tells which queued messages were recalled since (those are not notified)
     * @param unread   the users' unread totals, sent as badge when {@link NotifierConfig#badges()}; null = no badges
     */
    public NotifierService(NotifierConfig config, DeviceTokenRepository tokens, MuteSettings mutes,
            MessageRepository messages, UnreadCounts unread, PushNotifierRegistry notifiers) {
        this.config = config;
        this.tokens = tokens;
        this.mutes = mutes;
        this.messages = messages;
        this.unread = unread;
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
                config.sendTimeout(), OfflineTaskConsumer.pauseOn(stopping),
                n -> tokens.deleteIfUnchanged(n.uid(), n.deviceId(), n.provider(), n.token()),
                messages::recalledAmong);
        NotificationPlanner.Badges badges = unread == null || !config.badges() ? NotificationPlanner.Badges.NONE
                : uid -> OptionalInt.of((int) Math.min(Integer.MAX_VALUE, unread.total(uid)));
        NotificationPlanner planner = new NotificationPlanner(tokens::findByUids, mutes::muted, messages::recalledAmong,
                config.mentionsPassMute() ? OfflineTask::getMentioned : NotificationPlanner.Mentions.NOT_TRACKED,
                badges);
        consumer = new OfflineTaskConsumer(new KafkaConsumer<>(consumerProperties()), topics.offline(), planner,
                sender, new Backoff(config.retryBackoffMin(), config.retryBackoffMax()), stopping, Clock.systemUTC());
        thread = new Thread(consumer, "notifier-offline-consumer");
        thread.start();
        log.info("[notifier] consuming {} as group {}; providers {}", topics.offline(), config.consumerGroup(),
                notifiers.providers());
        return this;
    }

    /**
     * Live = started and its consumer loop neither ended nor wedged (no poll returned for longer than
     * a batch may take): only a restart would bring notifications back. True before {@link #start()}.
     */
    public boolean live() {
        OfflineTaskConsumer loop = consumer;
        return loop == null || loop.status(stallLimit()) == ConsumerLoop.Status.POLLING;
    }

    /** Ready = started and its consumer loop polls. */
    public boolean ready() {
        OfflineTaskConsumer loop = consumer;
        return loop != null && loop.status(stallLimit()) == ConsumerLoop.Status.POLLING;
    }

    private Duration stallLimit() {
        // a batch may legitimately retry its notifications for maxBatchDuration
        return config.maxBatchDuration().plus(ConsumerLoop.DEFAULT_STALL_LIMIT);
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
            } else {
                // the stop order is documented (operations.md §5) and tested from the log
                log.info("[notifier] stop: offline consumer closed (an unfinished batch stays uncommitted), left"
                        + " group {}", config.consumerGroup());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread = null;
            log.info("[notifier] stopped");
        }
    }

    private Properties consumerProperties() {
        // a batch in retries must not cost the worker its partitions
        return BusClients.consumer(config.kafkaBootstrap(), config.consumerGroup(),
                config.consumerGroup() + "-offline", config.maxPollRecords(),
                ConsumerTuning.DEFAULT.withMaxPollIntervalAtLeast(config.maxBatchDuration()));
    }
}
