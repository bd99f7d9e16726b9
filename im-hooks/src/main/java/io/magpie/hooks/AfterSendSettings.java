package io.magpie.hooks;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One after-send endpoint's settings ({@code hooks.after-send.*}, {@code hooks.apps.<app>.after-send.*}), validated
 * once. Immutable.
 *
 * @param url             where the notifier role POSTs batches of events (http or https); null = no hook (default)
 * @param secret          the shared secret requests are signed with; at least 16 characters when {@code url} is set
 * @param events          which events are delivered; default all three
 * @param timeout         how long one request may take before it counts as failed; 100 ms-1 min, default 5 s
 * @param maxEvents       most events in one request; 1-1000, default 100
 * @param retryBackoffMin first wait after a failed request; 1 ms-1 min, default 500 ms
 * @param retryBackoffMax longest wait between attempts (the wait doubles up to it); >= min, at most 5 min, default 30 s
 */
public record AfterSendSettings(URI url, String secret, Set<HookEvent> events, Duration timeout, int maxEvents,
                                Duration retryBackoffMin, Duration retryBackoffMax) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_EVENTS = 100;
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(30);
    public static final AfterSendSettings DISABLED = new AfterSendSettings(null, null, EnumSet.allOf(HookEvent.class),
            DEFAULT_TIMEOUT, DEFAULT_MAX_EVENTS, DEFAULT_RETRY_BACKOFF_MIN, DEFAULT_RETRY_BACKOFF_MAX);

    public AfterSendSettings {
        HookUrls.check("after-send.url", url, secret);
        Objects.requireNonNull(events, "after-send.events");
        if (url != null && events.isEmpty()) {
            throw new IllegalArgumentException("after-send.url is set but after-send.events is empty; list message,"
                    + " group and/or friend, or remove the url");
        }
        events = events.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(events));
        timeout = HookUrls.range("after-send.timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(1));
        if (maxEvents < 1 || maxEvents > 1000) {
            throw new IllegalArgumentException("after-send.max-events must be between 1 and 1000, got " + maxEvents);
        }
        retryBackoffMin = HookUrls.range("after-send.retry-backoff-min", retryBackoffMin, Duration.ofMillis(1),
                Duration.ofMinutes(1));
        retryBackoffMax = HookUrls.range("after-send.retry-backoff-max", retryBackoffMax, retryBackoffMin,
                Duration.ofMinutes(5));
    }

    public boolean enabled() {
        return url != null;
    }

    @Override
    public String toString() {
        return "AfterSendSettings[url=" + url + ", secret=" + (secret == null ? "none" : "***") + ", events=" + events
                + ", timeout=" + timeout + ", maxEvents=" + maxEvents + ", retryBackoff=" + retryBackoffMin + "-"
                + retryBackoffMax + "]";
    }
}
