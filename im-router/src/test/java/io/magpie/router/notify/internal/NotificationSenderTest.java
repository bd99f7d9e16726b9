package io.magpie.router.notify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.magpie.router.notify.NotificationException;
import io.magpie.router.notify.PushNotification;
import io.magpie.router.notify.PushNotifier;
import io.magpie.router.notify.PushNotifierRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Retries, give-ups and skips with scripted notifiers; waits are recorded, not slept. */
class NotificationSenderTest {

    private final List<Duration> waits = new ArrayList<>();
    private final Scripted webhook = new Scripted();
    private final RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1));
    /** Tokens the sender removed as dead. */
    private final List<PushNotification> removed = new ArrayList<>();
    /** Message ids "recalled" so far; the sender asks before each retry round. */
    private final Set<Long> recalledIds = new HashSet<>();
    private final Function<Collection<Long>, Set<Long>> recalled = ids -> {
        Set<Long> hit = new HashSet<>(ids);
        hit.retainAll(recalledIds);
        return hit;
    };
    private final NotificationSender sender = new NotificationSender(
            PushNotifierRegistry.builder().register("webhook", webhook).build(), policy, Duration.ofSeconds(5),
            d -> waits.add(d), removed::add, recalled);

    /** Answers each send with the next scripted outcome; success once the script is used up. */
    static final class Scripted implements PushNotifier {
        final Deque<Object> script = new ArrayDeque<>();
        final List<PushNotification> calls = new ArrayList<>();

        @Override
        public CompletableFuture<Void> send(PushNotification n) {
            calls.add(n);
            Object next = script.poll();
            if (next instanceof Throwable t) {
                return CompletableFuture.failedFuture(t);
            }
            if (next instanceof CompletableFuture<?> f) {
                @SuppressWarnings("unchecked")
                CompletableFuture<Void> v = (CompletableFuture<Void>) f;
                return v;
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    private static PushNotification note(String provider, long seq) {
        return new PushNotification(42, "phone", provider, "tok", "s_7_42", 900 + seq, seq, 7, "hi");
    }

    private static NotificationException retryable() {
        return new NotificationException("HTTP 503", null, true);
    }

    @Test
    void aDeliveredNotificationIsSentOnce() {
        NotificationSender.Outcome o = sender.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(1, 0, 0, false), o);
        assertEquals(1, webhook.calls.size());
        assertTrue(waits.isEmpty());
    }

    @Test
    void retryableFailuresAreRetriedWithGrowingWaitsUntilTheySucceed() {
        webhook.script.add(retryable());
        webhook.script.add(new RuntimeException("adapter bug, counts as retryable"));

        NotificationSender.Outcome o = sender.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(1, 0, 0, false), o);
        assertEquals(3, webhook.calls.size());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
    }

    @Test
    void aGivenUpNotificationIsLoggedWithTheRecipientAsIdentityFields() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                NotificationSender.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            webhook.script.add(new NotificationException("HTTP 410 token gone", null, false));
            sender.sendAll(List.of(note("webhook", 1)));
        } finally {
            logger.detachAppender(events);
        }

        ILoggingEvent refused = events.list.stream().filter(e -> e.getFormattedMessage().contains("refused"))
                .findFirst().orElseThrow();
        Map<String, Object> pairs = new LinkedHashMap<>();
        refused.getKeyValuePairs().forEach(p -> pairs.put(p.key, p.value));
        PushNotification n = note("webhook", 1);
        assertEquals(Map.of("uid", n.uid(), "device", n.deviceId(), "conversation", n.conversationId()), pairs);
        assertTrue(refused.getFormattedMessage().startsWith(n.who()), refused.getFormattedMessage());
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        webhook.script.add(new NotificationException("HTTP 410 token gone", null, false));

        NotificationSender.Outcome o = sender.sendAll(List.of(note("webhook", 1), note("webhook", 2)));

        assertEquals(new NotificationSender.Outcome(1, 1, 0, false), o);
        assertEquals(2, webhook.calls.size());
        assertTrue(waits.isEmpty());
    }

    @Test
    void afterTheLastAttemptTheNotificationIsGivenUpAndTheBatchEnds() {
        for (int i = 0; i < 10; i++) {
            webhook.script.add(retryable());
        }

        NotificationSender.Outcome o = sender.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(0, 1, 0, false), o);
        assertEquals(4, webhook.calls.size(), "max attempts");
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)), waits);
    }

    @Test
    void aNotifierThatNeverAnswersTimesOutAndIsRetried() {
        NotificationSender quick = new NotificationSender(PushNotifierRegistry.builder().register("webhook", webhook)
                .build(), policy, Duration.ofMillis(100), d -> waits.add(d), removed::add, recalled);
        webhook.script.add(new CompletableFuture<Void>());

        NotificationSender.Outcome o = quick.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(1, 0, 0, false), o);
        assertEquals(2, webhook.calls.size());
    }

    @Test
    void aTokenOfAProviderWithoutNotifierIsSkipped() {
        NotificationSender.Outcome o = sender.sendAll(List.of(note("apns", 1), note("webhook", 2)));

        assertEquals(new NotificationSender.Outcome(1, 0, 1, false), o);
        assertEquals(List.of(2L), webhook.calls.stream().map(PushNotification::seq).toList());
    }

    @Test
    void aShutdownDuringAWaitAbandonsTheBatch() {
        NotificationSender stopping = new NotificationSender(PushNotifierRegistry.builder()
                .register("webhook", webhook).build(), policy, Duration.ofSeconds(5), d -> false, removed::add,
                recalled);
        webhook.script.add(retryable());

        NotificationSender.Outcome o = stopping.sendAll(List.of(note("webhook", 1)));

        assertTrue(o.abandoned());
        assertEquals(1, webhook.calls.size());
    }

    @Test
    void aDeadTokenIsRemovedAndNotRetriedWhileTheOtherDevicesAreServed() {
        PushNotification dead = new PushNotification(42, "old-phone", "webhook", "gone", "s_7_42", 901, 1, 7, "hi");
        PushNotification live = new PushNotification(42, "tablet", "webhook", "ok", "s_7_42", 901, 1, 7, "hi");
        webhook.script.add(NotificationException.deadToken("HTTP 410 Unregistered"));

        NotificationSender.Outcome o = sender.sendAll(List.of(dead, live));

        assertEquals(new NotificationSender.Outcome(1, 1, 0, false, 1, 0), o);
        assertEquals(List.of(dead), removed);
        assertEquals(2, webhook.calls.size(), "one attempt each: a dead token is never retried");
        assertEquals(List.of(), waits);
    }

    @Test
    void aFailedRemovalOfADeadTokenIsLoggedAndTheBatchEnds() {
        NotificationSender failing = new NotificationSender(PushNotifierRegistry.builder()
                .register("webhook", webhook).build(), policy, Duration.ofSeconds(5), d -> waits.add(d),
                n -> {
                    throw new IllegalStateException("MySQL is down");
                }, recalled);
        webhook.script.add(NotificationException.deadToken("HTTP 410 Unregistered"));

        NotificationSender.Outcome o = failing.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(0, 1, 0, false, 0, 0), o);
        assertEquals(1, webhook.calls.size());
    }

    @Test
    void aMessageRecalledWhileItsNotificationWaitsForARetryIsNotSentAgain() {
        webhook.script.add(retryable());
        webhook.script.add(retryable());
        PushNotifier recallingWebhook = n -> {
            CompletableFuture<Void> f = webhook.send(n);
            recalledIds.add(n.msgId()); // recalled while the first attempt was out
            return f;
        };
        NotificationSender s = new NotificationSender(PushNotifierRegistry.builder()
                .register("webhook", recallingWebhook).build(), policy, Duration.ofSeconds(5), d -> waits.add(d),
                removed::add, recalled);

        NotificationSender.Outcome o = s.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(0, 0, 0, false, 0, 1), o);
        assertEquals(1, webhook.calls.size(), "not retried once recalled");
    }

    @Test
    void aRetryAfterLongerThanTheBackoffIsWaitedButNeverBeyondTheLongestBackoff() {
        webhook.script.add(NotificationException.retryAfter("HTTP 429", Duration.ofMillis(700)));
        webhook.script.add(NotificationException.retryAfter("HTTP 503", Duration.ofMinutes(10)));
        webhook.script.add(NotificationException.retryAfter("HTTP 503", Duration.ofMillis(1)));

        NotificationSender.Outcome o = sender.sendAll(List.of(note("webhook", 1)));

        assertEquals(new NotificationSender.Outcome(1, 0, 0, false), o);
        assertEquals(List.of(Duration.ofMillis(700), Duration.ofSeconds(1), Duration.ofMillis(400)), waits,
                "Retry-After 700 ms over a 100 ms backoff; 10 min capped at the 1 s longest; 1 ms under 400 ms");
    }
}
