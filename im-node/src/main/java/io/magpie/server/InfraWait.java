package io.magpie.server;

import io.magpie.registry.StorageException;
import io.magpie.bus.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a role that starts before its Redis, MySQL or Kafka is reachable wait for it instead of
 * exiting (containers of one deployment start in any order): each connect attempt that fails for a
 * reason a retry can fix is logged and retried after a backoff (1 s doubling to 10 s), until
 * {@code startup.infra-wait} has passed; then the last failure is thrown with a message that says how
 * long it waited. A failure a retry cannot fix (a schema migration that fails, bad settings) is thrown
 * at once. Not thread-safe: the composition root's thread.
 */
final class InfraWait {

    /** Default of {@code startup.infra-wait}. */
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(InfraWait.class);

    private final Duration maxWait;
    private final Clock clock;
    private final Sleeper sleeper;

    /** How to wait between attempts (a test passes one that advances its clock). */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    InfraWait(Duration maxWait, Clock clock, Sleeper sleeper) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    InfraWait(Duration maxWait, Clock clock) {
        this(maxWait, clock, d -> Thread.sleep(d.toMillis()));
    }

    /**
     * Runs {@code attempt} until it succeeds, a failure is not retryable, or the wait is over.
     *
     * @param what names the dependency in logs and messages, e.g. {@code redis redis://10.0.0.5:6379}
     */
    <T> T until(String what, Supplier<T> attempt) {
        Instant deadline = clock.instant().plus(maxWait);
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                T result = attempt.get();
                if (attempts > 1) {
                    log.info("[node] {} reachable after {} attempts", what, attempts);
                }
                return result;
            } catch (RuntimeException e) {
                if (!retryable(e)) {
                    throw e;
                }
                Instant now = clock.instant();
                if (!now.isBefore(deadline)) {
                    throw new IllegalStateException(what + " still unreachable after " + attempts + " attempts over "
                            + maxWait + " (startup.infra-wait): " + e.getMessage()
                            + "; check that it runs and is reachable, or raise startup.infra-wait", e);
                }
                Duration delay = Duration.ofMillis(backoff.nextDelayMillis());
                Duration left = Duration.between(now, deadline);
                if (delay.compareTo(left) > 0) {
                    delay = left;
                }
                log.warn("[node] {} not reachable yet (attempt {}): {}; retrying in {} ms, giving up in {} s", what,
                        attempts, e.getMessage(), delay.toMillis(), left.toSeconds());
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + what, e);
                }
            }
        }
    }

    /** Connection failures may heal; bad settings, failed migrations and interrupts do not. */
    static boolean retryable(RuntimeException e) {
        if (e instanceof StorageException storage) {
            return storage.retryable();
        }
        if (e instanceof InterruptException) {
            return false;
        }
        return e instanceof KafkaException;
    }
}
