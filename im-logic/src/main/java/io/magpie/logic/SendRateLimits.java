package io.magpie.logic;

/**
 * How many new messages one user may send, counted across every device, gate and logic instance of the
 * cluster (docs/PROTOCOL.md §5; YAML {@code logic.rate-limits.*}). Validated once at construction. Immutable.
 *
 * @param perSecond messages per user per second (a window that starts at the user's first message in it);
 *                  0 = no limit; 0-100,000, default 20
 * @param perMinute messages per user per minute (likewise); 0 = no limit; 0-1,000,000, default 600
 */
public record SendRateLimits(int perSecond, int perMinute) {

    public static final SendRateLimits DEFAULTS = new SendRateLimits(20, 600);
    public static final SendRateLimits OFF = new SendRateLimits(0, 0);

    public SendRateLimits {
        if (perSecond < 0 || perSecond > 100_000) {
            throw new IllegalArgumentException("logic.rate-limits.messages-per-second must be between 0 (no limit)"
                    + " and 100000, got " + perSecond);
        }
        if (perMinute < 0 || perMinute > 1_000_000) {
            throw new IllegalArgumentException("logic.rate-limits.messages-per-minute must be between 0 (no limit)"
                    + " and 1000000, got " + perMinute);
        }
    }

    /** Whether any limit applies. */
    public boolean enabled() {
        return perSecond > 0 || perMinute > 0;
    }
}
