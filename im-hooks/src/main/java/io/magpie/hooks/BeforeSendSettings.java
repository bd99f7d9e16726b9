package io.magpie.hooks;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One app's before-send hook ({@code hooks.before-send.*}, {@code hooks.apps.<app>.before-send.*}), validated once.
 * Immutable.
 *
 * @param url         where logic POSTs each polled batch's new messages (http or https); null = no hook (the default)
 * @param secret      the shared secret requests are signed with (HMAC-SHA256); at least 16 characters when
 *                    {@code url} is set
 * @param timeout     how long logic waits for the answer; 10 ms-10 s, default 1 s. The SENDs of the batch wait too
 * @param onFailure   what the messages get when the hook does not answer usably; default {@link FailureMode#OPEN}
 * @param maxMessages most messages in one request; a larger batch is split into requests sent concurrently;
 *                    1-1000, default 100
 */
public record BeforeSendSettings(URI url, String secret, Duration timeout, FailureMode onFailure, int maxMessages) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_MESSAGES = 100;
    public static final BeforeSendSettings DISABLED = new BeforeSendSettings(null, null, DEFAULT_TIMEOUT,
            FailureMode.OPEN, DEFAULT_MAX_MESSAGES);

    public BeforeSendSettings {
        Objects.requireNonNull(onFailure, "before-send.on-failure must be open or closed");
        HookUrls.check("before-send.url", url, secret);
        timeout = HookUrls.range("before-send.timeout", timeout, Duration.ofMillis(10), Duration.ofSeconds(10));
        if (maxMessages < 1 || maxMessages > 1000) {
            throw new IllegalArgumentException("before-send.max-messages must be between 1 and 1000, got " + maxMessages);
        }
    }

    public boolean enabled() {
        return url != null;
    }

    @Override
    public String toString() {
        return "BeforeSendSettings[url=" + url + ", secret=" + (secret == null ? "none" : "***") + ", timeout="
                + timeout + ", onFailure=" + onFailure + ", maxMessages=" + maxMessages + "]";
    }
}
