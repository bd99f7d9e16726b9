package io.magpie.logic;

/**
 * How many new messages one user may send, counted across every device, gate and logic instance of the
 * cluster (docs/PROTOCOL.md §5; YAML {@code logic.rate-limits.*}). Validated once at construction. Immutable.
 *
 * @param perSecond messages per user per second (a window that starts at the user's first message in it);
 *                  0 = no limit; 0-100,000, default 20
 * @param perMinute messages per user per minute (likewise); 0 = no limit; 0-1,000,000, default 600
 * @param mentionAllMembersPerHour how many member notifications a group's {@code @all} messages may cause per hour,
 *                  all its admins together: each {@code @all} costs the group's member count, so a bigger group gets
 *                  fewer (10,000: a 500-member group 20 an hour, a 10,000-member group one); an {@code @all} that
 *                  costs more than the whole budget is admitted when the group's hour is unused. 0 = no limit;
 *                  0-100,000,000, default 10,000
 */
public record SendRateLimits(int perSecond, int perMinute, int mentionAllMembersPerHour) {

    public static final int DEFAULT_MENTION_ALL_MEMBERS_PER_HOUR = 10_000;
    public static final SendRateLimits DEFAULTS = new SendRateLimits(20, 600, DEFAULT_MENTION_ALL_MEMBERS_PER_HOUR);
    public static final SendRateLimits OFF = new SendRateLimits(0, 0, 0);

    public SendRateLimits {
        if (perSecond < 0 || perSecond > 100_000) {
            throw new IllegalArgumentException("logic.rate-limits.messages-per-second must be between 0 (no limit)"
                    + " and 100000, got " + perSecond);
        }
        if (perMinute < 0 || perMinute > 1_000_000) {
            throw new IllegalArgumentException("logic.rate-limits.messages-per-minute must be between 0 (no limit)"
                    + " and 1000000, got " + perMinute);
        }
        if (mentionAllMembersPerHour < 0 || mentionAllMembersPerHour > 100_000_000) {
            throw new IllegalArgumentException("logic.rate-limits.mention-all-members-per-hour must be between 0"
                    + " (no limit) and 100000000, got " + mentionAllMembersPerHour);
        }
    }

    /** The per-user message limits with the default {@code @all} budget. */
    public SendRateLimits(int perSecond, int perMinute) {
        this(perSecond, perMinute, DEFAULT_MENTION_ALL_MEMBERS_PER_HOUR);
    }

    /** Whether any limit applies. */
    public boolean enabled() {
        return messagesLimited() || mentionAllMembersPerHour > 0;
    }

    /** Whether the per-user message windows apply. */
    public boolean messagesLimited() {
        return perSecond > 0 || perMinute > 0;
    }
}
