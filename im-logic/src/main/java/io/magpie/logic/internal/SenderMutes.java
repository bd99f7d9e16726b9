package io.magpie.logic.internal;

import io.magpie.das.UserRestrictions.Restriction;
import io.magpie.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Step 5a: is the sender muted by an operator ({@code POST /v1/admin/users/{uid}/mute})? A muted sender's
 * SENDs, to any conversation, are refused with {@link ErrorCode#MUTED} naming until when. MySQL
 * ({@code user_restriction}) is the truth; what it said about a sender is kept for {@code ttl}, so the
 * hot path asks MySQL at most once per sender per ttl, in ONE query for all the uncached senders of a
 * batch ({@link #prepare}); a mute or an unmute applies on every logic instance within {@code ttl}.
 * The cache is bounded (least recently used out). Not thread-safe: used by the upstream consumer's thread.
 */
public final class SenderMutes {

    /** How long a sender's mute state is trusted before MySQL is asked again. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

    /** The mutes (in force or expired) of many uids in one query; a uid that has none is not a key. */
    @FunctionalInterface
    public interface Source {
        Map<Long, Restriction> mutes(Collection<Long> uids);
    }

    /**
     * Nobody is muted: for processors built without MySQL's restrictions (unit tests). A new instance each time,
     * not a shared one: the cache is per instance.
     */
    public static SenderMutes none() {
        return new SenderMutes(uids -> Map.of(), 1, Duration.ofDays(365), Clock.systemUTC());
    }

    /** @param mute null when the sender has none */
    private record Entry(Restriction mute, long loadedAtMillis) {
    }

    private final Source source;
    private final Duration ttl;
    private final Clock clock;
    private final Map<Long, Entry> cache;

    /**
     * @param cacheSize most senders remembered
     * @param ttl       how long a sender's state is trusted ({@link #DEFAULT_TTL})
     */
    public SenderMutes(Source source, int cacheSize, Duration ttl, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cacheSize must be at least 1, got " + cacheSize);
        }
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Entry> eldest) {
                return size() > cacheSize;
            }
        };
    }

    /**
     * Reads the mute state of the senders of {@code sends} that is not cached or older than the ttl (one query).
     *
     * @throws io.magpie.registry.StorageException when MySQL could not answer (the batch is retried)
     */
    public void prepare(Iterable<SendCommand> sends) {
        long now = clock.millis();
        Set<Long> stale = new LinkedHashSet<>();
        for (SendCommand c : sends) {
            Entry e = cache.get(c.senderUid());
            if (e == null || now - e.loadedAtMillis() >= ttl.toMillis()) {
                stale.add(c.senderUid());
            }
        }
        if (stale.isEmpty()) {
            return;
        }
        Map<Long, Restriction> found = source.mutes(stale);
        for (long uid : stale) {
            cache.put(uid, new Entry(found.get(uid), now));
        }
    }

    /**
     * @return the refusal when the sender is muted now, empty when the send may go ahead
     * @throws io.magpie.registry.StorageException when the sender was not prepared and MySQL could not answer
     */
    public Optional<Rejection> check(SendCommand c) {
        return activeMute(c.senderUid())
                .map(mute -> new Rejection(c.envelope(), ErrorCode.MUTED, message(mute, "the message was not sent")));
    }

    /**
     * The operator's mute of {@code uid} in force now, read from the cache or (missing or stale) MySQL.
     *
     * @throws io.magpie.registry.StorageException when MySQL could not answer
     */
    public Optional<Restriction> activeMute(long uid) {
        Entry e = cache.get(uid);
        long now = clock.millis();
        if (e == null || now - e.loadedAtMillis() >= ttl.toMillis()) {
            cache.put(uid, new Entry(source.mutes(java.util.List.of(uid)).get(uid), now));
            e = cache.get(uid);
        }
        Restriction mute = e.mute();
        return mute == null || !mute.activeAt(now) ? Optional.empty() : Optional.of(mute);
    }

    /** What the muted user reads: until when, the reason, {@code outcome}; the form is in docs/PROTOCOL.md §8. */
    static String message(Restriction mute, String outcome) {
        String until = mute.untilMillis() == 0 ? "until an operator lifts it"
                : "until " + Instant.ofEpochMilli(mute.untilMillis());
        String reason = mute.reason().isEmpty() ? "" : " (reason: " + mute.reason() + ")";
        return "an operator muted you " + until + reason + "; " + outcome;
    }
}
