package io.magpie.logic;

import java.time.Duration;

/**
 * Settings of presence and typing in the logic role (docs/PROTOCOL.md §9.14, §9.15; YAML
 * {@code logic.presence.*} and {@code logic.typing-max-group-size}), validated once at construction: a value
 * out of range fails naming its key, the bounds and the value. Immutable.
 *
 * @param offlineGrace        how long a user must stay without any connected device before watchers are told
 *                            they went offline, so a reconnect within it announces nothing; 0-5 min, default 5 s
 * @param minInterval         at most one announcement per user per this window (a flapping connection does not
 *                            flood watchers; the newest state is announced when the window ends); 0-1 min,
 *                            default 2 s
 * @param maxWatchList        most users in one explicit watch list (PRESENCE {@code watch_uids}); 1-10,000,
 *                            default 500
 * @param maxQueryUids        most users one PRESENCE query names; 1-1,000, default 200
 * @param watchTtl            how long an explicit watch list lives unless set again (the SDK sets it at every
 *                            login); 1 min-30 days, default 24 h
 * @param fanoutChunk         most watchers named by one push task of an announcement (a user with 5,000
 *                            watchers is announced in 10 tasks by default); 1-10,000, default 500
 * @param typingMaxGroupSize  groups with more members than this get no typing notices; 2-50,000, default 500
 */
public record PresenceConfig(Duration offlineGrace, Duration minInterval, int maxWatchList, int maxQueryUids,
        Duration watchTtl, int fanoutChunk, int typingMaxGroupSize) {

    private static final PresenceConfig DEFAULTS = new PresenceConfig(Duration.ofSeconds(5), Duration.ofSeconds(2),
            500, 200, Duration.ofHours(24), 500, 500);

    public PresenceConfig {
        between("logic.presence.offline-grace", offlineGrace, Duration.ZERO, Duration.ofMinutes(5));
        between("logic.presence.min-interval", minInterval, Duration.ZERO, Duration.ofMinutes(1));
        range("logic.presence.max-watch-list", maxWatchList, 1, 10_000);
        range("logic.presence.max-query-uids", maxQueryUids, 1, 1_000);
        between("logic.presence.watch-ttl", watchTtl, Duration.ofMinutes(1), Duration.ofDays(30));
        range("logic.presence.fanout-chunk", fanoutChunk, 1, 10_000);
        range("logic.typing-max-group-size", typingMaxGroupSize, 2, 50_000);
    }

    /** Every setting at its default. */
    public static PresenceConfig defaults() {
        return DEFAULTS;
    }

    public PresenceConfig withOfflineGrace(Duration v) {
        return new PresenceConfig(v, minInterval, maxWatchList, maxQueryUids, watchTtl, fanoutChunk, typingMaxGroupSize);
    }

    public PresenceConfig withMinInterval(Duration v) {
        return new PresenceConfig(offlineGrace, v, maxWatchList, maxQueryUids, watchTtl, fanoutChunk, typingMaxGroupSize);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void between(String name, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
