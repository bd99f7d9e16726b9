package io.magpie.router.notify.internal;

import io.magpie.router.notify.NotificationException;
import io.magpie.router.notify.PushNotification;
import io.magpie.router.notify.PushNotifier;
import io.magpie.router.notify.PushNotifierRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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
 * <p>Two rules live here because they depend on what the provider answered: a failure that marks the
 * token dead ({@link NotificationException#deadToken()}) removes the token through {@link DeadTokens} and
 * is not retried; and before every retry round the messages still pending are checked for a recall
 * made since they were planned (a recalled message is never notified, also not on a second attempt).
 * A wait the provider asked for ({@code Retry-After}) lengthens the backoff, up to the policy's longest.
 *
 * <p>Blocks its caller (the worker's thread) for the batch; not thread-safe.
 */
public final class NotificationSender {

    /** Waits between attempts; returns false when the worker is stopping (the batch is abandoned). */
    @FunctionalInterface
    public interface Pause {
        boolean sleep(Duration duration);
    }

    /** Removes a token its provider reported dead; blocking, may throw (logged, the batch goes on). */
    @FunctionalInterface
    public interface DeadTokens {
        void remove(PushNotification deadTokenOf);
    }

    /**
     * How a batch ended; {@code abandoned} = the worker stopped during it (do not commit);
     * {@code deadTokens} = tokens removed as dead; {@code recalled} = not retried because recalled meanwhile.
     */
    public record Outcome(int delivered, int failed, int skipped, boolean abandoned, int deadTokens, int recalled) {
        public Outcome(int delivered, int failed, int skipped, boolean abandoned) {
            this(delivered, failed, skipped, abandoned, 0, 0);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);

    private final PushNotifierRegistry notifiers;
    private final RetryPolicy retry;
    private final Duration sendTimeout;
    private final Pause pause;
    private final DeadTokens deadTokens;
    private final Function<Collection<Long>, Set<Long>> recalled;
    /** Providers already reported as missing: one WARN each, not one per message. */
    private final Set<String> reportedMissing = new HashSet<>();

    /**
     * @param deadTokens removes a token its provider reported dead
     * @param recalled   the ids among the given message ids whose message was recalled (blocking storage read)
     */
    public NotificationSender(PushNotifierRegistry notifiers, RetryPolicy retry, Duration sendTimeout, Pause pause,
            DeadTokens deadTokens, Function<Collection<Long>, Set<Long>> recalled) {
        this.notifiers = notifiers;
        this.retry = retry;
        this.sendTimeout = sendTimeout;
        this.pause = pause;
        this.deadTokens = deadTokens;
        this.recalled = recalled;
    }

    public Outcome sendAll(List<PushNotification> notifications) {
        int delivered = 0;
        int failed = 0;
        int skipped = 0;
        int dead = 0;
        int recalledMeanwhile = 0;
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
            Duration providerWait = Duration.ZERO;
            for (int i = 0; i < pending.size(); i++) {
                PushNotification n = pending.get(i);
                Optional<Throwable> error = outcome(sends.get(i));
                if (error.isEmpty()) {
                    delivered++;
                } else if (error.get() instanceof NotificationException ne && ne.deadToken()) {
                    failed++;
                    if (removeDeadToken(n, ne)) {
                        dead++;
                    }
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
                    providerWait = max(providerWait, requestedWait(error.get()));
                }
            }
            pending = again;
            if (!pending.isEmpty()) {
                // the provider's Retry-After wins over a shorter backoff, but never beyond the longest backoff
                Duration delay = min(max(retry.delayAfter(attempt), providerWait), retry.max());
                log.info("[notifier] {} notifications failed attempt {} of {}; retrying in {} ms", pending.size(),
                        attempt, retry.maxAttempts(), delay.toMillis());
                if (!pause.sleep(delay)) {
                    log.info("[notifier] stopping: {} notifications left undelivered; the batch is not committed and"
                            + " will be sent again by the next owner of its partitions", pending.size());
                    return new Outcome(delivered, failed, skipped, true, dead, recalledMeanwhile);
                }
                List<PushNotification> stillWanted = withoutRecalled(pending);
                recalledMeanwhile += pending.size() - stillWanted.size();
                pending = stillWanted;
            }
        }
        return new Outcome(delivered, failed, skipped, false, dead, recalledMeanwhile);
    }

    /** {@code pending} less the notifications of messages recalled since they were planned. */
    private List<PushNotification> withoutRecalled(List<PushNotification> pending) {
        Set<Long> msgIds = new LinkedHashSet<>();
        pending.forEach(n -> msgIds.add(n.msgId()));
        Set<Long> gone;
        try {
            gone = recalled.apply(msgIds);
        } catch (RuntimeException e) {
            // cannot tell: sending a notification of a recalled message beats losing one of a live message
            log.warn("[notifier] could not check {} messages for a recall before retrying them; retrying all: {}",
                    msgIds.size(), e.toString());
            return pending;
        }
        if (gone.isEmpty()) {
            return pending;
        }
        List<PushNotification> kept = new ArrayList<>(pending.size());
        for (PushNotification n : pending) {
            if (gone.contains(n.msgId())) {
                n.identify(log.atInfo()).log("{} message recalled since it was queued: not retried", n.who());
            } else {
                kept.add(n);
            }
        }
        return kept;
    }

    /** Removes the token the provider reported dead; true if that worked. */
    private boolean removeDeadToken(PushNotification n, NotificationException reason) {
        try {
            deadTokens.remove(n);
            n.identify(log.atInfo())
                    .log("{} {} token of device {} is dead ({}): removed from the store, not retried", n.who(),
                    n.provider(), n.deviceId(), reason.getMessage());
            return true;
        } catch (RuntimeException e) {
            // the token stays; the next message to it is refused again and removal is tried again then
            n.identify(log.atWarn())
                    .log("{} {} token of device {} is dead ({}), but removing it failed; tried again on its next"
                    + " notification", n.who(), n.provider(), n.deviceId(), reason.getMessage(), e);
            return false;
        }
    }

    private static Duration requestedWait(Throwable t) {
        return t instanceof NotificationException ne ? ne.retryAfter().orElse(Duration.ZERO) : Duration.ZERO;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
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
