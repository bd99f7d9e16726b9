package io.magpie.router.notify.internal;

import io.magpie.router.notify.NotificationException;
import io.magpie.router.notify.PushNotification;
import io.magpie.router.notify.PushNotifier;
import io.magpie.router.notify.PushNotifierRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a batch's notifications through the notifier of each one's provider, all in parallel, and
 * retries the retryable failures with backoff until they succeed or their attempts run out; a
 * permanent failure, exhausted attempts or a provider without notifier are logged and skipped, so a
 * batch always ends. Every attempt is bounded by the send timeout, whatever the notifier does.
 *
 * <p>Blocks its caller (the worker's thread) for the batch; not thread-safe.
 */
public final class NotificationSender {

    /** Waits between attempts; returns false when the worker is stopping (the batch is abandoned). */
    @FunctionalInterface
    public interface Pause {
        boolean sleep(Duration duration);
    }

    /** How a batch ended; {@code abandoned} = the worker stopped during it (do not commit). */
    public record Outcome(int delivered, int failed, int skipped, boolean abandoned) {
    }

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);

    private final PushNotifierRegistry notifiers;
    private final RetryPolicy retry;
    private final Duration sendTimeout;
    private final Pause pause;
    /** Providers already reported as missing: one WARN each, not one per message. */
    private final Set<String> reportedMissing = new HashSet<>();

    public NotificationSender(PushNotifierRegistry notifiers, RetryPolicy retry, Duration sendTimeout, Pause pause) {
        this.notifiers = notifiers;
        this.retry = retry;
        this.sendTimeout = sendTimeout;
        this.pause = pause;
    }

    public Outcome sendAll(List<PushNotification> notifications) {
        int delivered = 0;
        int failed = 0;
        int skipped = 0;
        List<PushNotification> pending = new ArrayList<>();
        for (PushNotification n : notifications) {
            if (notifiers.find(n.provider()).isPresent()) {
                pending.add(n);
            } else {
                skipped++;
                reportMissing(n);
            }
        }
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            List<CompletableFuture<Void>> sends = new ArrayList<>(pending.size());
            for (PushNotification n : pending) {
                sends.add(sendOnce(n));
            }
            List<PushNotification> again = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                PushNotification n = pending.get(i);
                Optional<Throwable> error = outcome(sends.get(i));
                if (error.isEmpty()) {
                    delivered++;
                } else if (!retryable(error.get())) {
                    failed++;
                    n.identify(log.atWarn())
                            .log("{} notification via {} refused, not retried: {}", n.who(), n.provider(),
                            error.get().getMessage());
                } else if (!retry.mayRetry(attempt)) {
                    failed++;
                    Throwable e = error.get();
                    if (e instanceof NotificationException || e instanceof TimeoutException) {
                        n.identify(log.atError())
                                .log("{} notification via {} failed {} times, giving up: {}", n.who(), n.provider(),
                                attempt, e.getMessage());
                    } else {
                        n.identify(log.atError())
                                .log("{} notification via {} failed {} times, giving up", n.who(), n.provider(), attempt, e);
                    }
                } else {
                    n.identify(log.atDebug())
                            .log("{} attempt {} via {} failed: {}", n.who(), attempt, n.provider(), error.get().toString());
                    again.add(n);
                }
            }
            pending = again;
            if (!pending.isEmpty()) {
                Duration delay = retry.delayAfter(attempt);
                log.info("[notifier] {} notifications failed attempt {} of {}; retrying in {} ms", pending.size(),
                        attempt, retry.maxAttempts(), delay.toMillis());
                if (!pause.sleep(delay)) {
                    log.info("[notifier] stopping: {} notifications left undelivered; the batch is not committed and"
                            + " will be sent again by the next owner of its partitions", pending.size());
                    return new Outcome(delivered, failed, skipped, true);
                }
            }
        }
        return new Outcome(delivered, failed, skipped, false);
    }

    private CompletableFuture<Void> sendOnce(PushNotification n) {
        PushNotifier notifier = notifiers.find(n.provider()).orElseThrow();
        CompletableFuture<Void> f;
        try {
            f = notifier.send(n);
        } catch (RuntimeException e) {
            // an adapter bug: count it as a failed (retryable) attempt rather than losing the batch
            f = CompletableFuture.failedFuture(e);
        }
        if (f == null) {
            f = CompletableFuture.failedFuture(new NotificationException("notifier of " + n.provider()
                    + " returned no future", null, false));
        }
        return f.toCompletableFuture().orTimeout(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for one attempt; every future already carries the send timeout. */
    private static Optional<Throwable> outcome(CompletableFuture<Void> f) {
        try {
            f.get();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CompletionException c && c.getCause() != null) {
                cause = c.getCause();
            }
            return Optional.of(cause);
        }
    }

    private boolean retryable(Throwable t) {
        if (t instanceof TimeoutException) {
            return true;
        }
        return !(t instanceof NotificationException ne) || ne.retryable();
    }

    private void reportMissing(PushNotification n) {
        if (reportedMissing.add(n.provider())) {
            n.identify(log.atWarn())
                    .log("{} no notifier registered for push provider '{}' (registered: {}); notifications to such tokens"
                    + " are skipped", n.who(), n.provider(), notifiers.providers());
        } else {
            n.identify(log.atDebug())
                    .log("{} no notifier for provider '{}'; skipped", n.who(), n.provider());
        }
    }
}
