package io.magpie.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.bus.Backoff;
import io.magpie.bus.BusClients;
import io.magpie.bus.ConsumerLoop;
import io.magpie.bus.ConsumerTuning;
import io.magpie.bus.Topics;
import io.magpie.hooks.internal.AfterSendHandler;
import io.magpie.hooks.internal.HookHttp;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker of one after-send endpoint (runs in the notifier role, one per {@link AfterSendEndpoint}): consumes
 * the whole {@code push} topic in its own consumer group ({@code <prefix>hooks} for the default endpoint,
 * {@code <prefix>hooks-app-<app>} for an app's own) and POSTs the events it finds that the endpoint takes (stored
 * messages, group changes, friend changes of its apps' sessions) in signed batches, in topic order per partition.
 * Offsets are committed only after the endpoint answered 2xx for every event of the batch; a failed request is
 * retried after a backoff that doubles up to {@link AfterSendSettings#retryBackoffMax()}, without end, so no event
 * is skipped: an endpoint that is down holds back its own events only (the other endpoints and message delivery
 * have consumer groups of their own). Delivery is at least once: a crash or a partition move between the answer
 * and the commit, or a replayed SEND, sends an event again, with the same {@code id}.
 *
 * <p>Lifecycle: {@link #start()} once on any thread, {@link #close()} once (an unfinished batch stays
 * uncommitted). Thread-safe.
 */
public final class AfterSendService implements AutoCloseable {

    /** The default endpoint's consumer group name under the topic prefix; an app's adds {@code -app-<app>}. */
    public static final String GROUP_SUFFIX = "hooks";

    private static final Logger log = LoggerFactory.getLogger(AfterSendService.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final AfterSendEndpoint endpoint;
    private final AfterSendSettings settings;
    private final String kafkaBootstrap;
    private final Topics topics;
    private final Clock clock;
    private volatile ConsumerLoop<String, byte[]> loop;
    private Thread thread;

    public AfterSendService(AfterSendEndpoint endpoint, String kafkaBootstrap, Topics topics, Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.settings = endpoint.settings();
        this.kafkaBootstrap = Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code <prefix>hooks} for the default endpoint, {@code <prefix>hooks-app-<app>} for an app's. */
    public String consumerGroup() {
        return topics.prefix() + checkName();
    }

    /** The name of its health check: {@code hooks} for the default endpoint, {@code hooks-app-<app>} for an app's. */
    public String checkName() {
        return GROUP_SUFFIX + (endpoint.isDefault() ? "" : "-app-" + endpoint.appId());
    }

    public synchronized AfterSendService start() {
        if (thread != null) {
            throw new IllegalStateException("after-send hook of the " + endpoint.describe() + " already started");
        }
        // a few requests per batch at most, so one batch stays well inside the poll interval while it retries
        int maxPollRecords = Math.min(10_000, settings.maxEvents() * 4);
        Duration oneBatch = settings.timeout().multipliedBy(5).plus(settings.retryBackoffMax()).plusMinutes(1);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(BusClients.consumer(kafkaBootstrap,
                consumerGroup(), consumerGroup() + "-push", maxPollRecords,
                ConsumerTuning.DEFAULT.withMaxPollIntervalAtLeast(oneBatch)));
        loop = new ConsumerLoop<>(checkName(), consumer, topics.push(),
                new AfterSendHandler(endpoint, new HookHttp(clock), new ObjectMapper()),
                new Backoff(settings.retryBackoffMin(), settings.retryBackoffMax()), POLL_TIMEOUT, clock);
        thread = new Thread(loop, checkName() + "-after-send-consumer");
        thread.start();
        log.info("[hooks] consuming {} as group {}; delivering {} of the {} to {}", topics.push(), consumerGroup(),
                settings.events(), endpoint.describe() + (endpoint.isDefault() && !endpoint.ownApps().isEmpty()
                        ? " (all apps but " + endpoint.ownApps() + ")" : ""), settings.url());
        return this;
    }

    /** Live = not started yet, or its loop polls (a loop retrying a failed request still polls between attempts). */
    public boolean live() {
        ConsumerLoop<String, byte[]> l = loop;
        return l == null || l.status(stallLimit()) == ConsumerLoop.Status.POLLING;
    }

    /** Ready = started and polling. */
    public boolean ready() {
        ConsumerLoop<String, byte[]> l = loop;
        return l != null && l.status(stallLimit()) == ConsumerLoop.Status.POLLING;
    }

    private Duration stallLimit() {
        return settings.timeout().multipliedBy(5).plus(settings.retryBackoffMax()).plus(ConsumerLoop.DEFAULT_STALL_LIMIT);
    }

    @Override
    public synchronized void close() {
        if (thread == null) {
            return;
        }
        loop.shutdown();
        try {
            if (!loop.awaitStopped(STOP_TIMEOUT)) {
                log.warn("[hooks] after-send consumer of the {} did not stop within {}", endpoint.describe(),
                        STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread = null;
            log.info("[hooks] stopped; group {} resumes from its last commit", consumerGroup());
        }
    }
}
