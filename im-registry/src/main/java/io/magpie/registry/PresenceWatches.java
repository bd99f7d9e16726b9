package io.magpie.registry;

import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Explicit presence watch lists in Redis (docs/PROTOCOL.md §9.14): who asked to be told of whose presence
 * changes besides their friends. Two views of the same pairs: the watcher's list (SET
 * {@code presence:watching:<watcher>}, for replacing it) and, per watched user, the watchers with the time
 * each entry expires (ZSET {@code presence:watchers:<uid>}, for the fan-out). An entry lives {@code ttl}
 * unless its watcher sets the list again (the SDK does at every login), so lists of users who went away
 * fade out by themselves. Like every Redis key, lists are lost with Redis data: a client sets its list
 * again at its next login.
 *
 * <p>Replacing a list is a few pipelined commands, not one atomic step: two concurrent replacements by
 * the same user may leave the union for one TTL. Thread-safe; futures complete on Lettuce's threads.
 */
public final class PresenceWatches {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PresenceWatches.class);

    private final RedisStore store;
    private final RedisAsyncCommands<String, String> redis;
    private final Duration ttl;
    private final Clock clock;

    /** @param ttl how long a watch list lives without being set again; at least 1 minute */
    public PresenceWatches(RedisStore store, Duration ttl, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.redis = store.strings().async();
        if (ttl == null || ttl.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("presence watch TTL must be at least 1 minute, got " + ttl);
        }
        this.ttl = ttl;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Replaces {@code watcher}'s list with {@code watched} (empty clears it).
     *
     * @return completes with the list's size once Redis took every command
     */
    public CompletableFuture<Integer> replace(long watcher, Collection<Long> watched) {
        Set<String> next = watched.stream().filter(uid -> uid != watcher).map(String::valueOf)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String listKey = store.keys().presenceWatching(watcher);
        String me = Long.toString(watcher);
        long expiresAt = clock.millis() + ttl.toMillis();
        return redis.smembers(listKey).toCompletableFuture().thenCompose(previous -> {
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (String old : previous) {
                if (!next.contains(old)) {
                    writes.add(redis.zrem(store.keys().presenceWatchers(Long.parseLong(old)), me).toCompletableFuture());
                }
            }
            writes.add(redis.del(listKey).toCompletableFuture());
            if (!next.isEmpty()) {
                for (String uid : next) {
                    String key = store.keys().presenceWatchers(Long.parseLong(uid));
                    writes.add(redis.zadd(key, ScoredValue.just(expiresAt, me)).toCompletableFuture());
                    writes.add(redis.pexpire(key, ttl.toMillis()).toCompletableFuture());
                }
                writes.add(redis.sadd(listKey, next.toArray(String[]::new)).toCompletableFuture());
                writes.add(redis.pexpire(listKey, ttl.toMillis()).toCompletableFuture());
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(done -> next.size());
        });
    }

    /** The users who explicitly watch {@code uid} now (expired entries left out and removed). */
    public CompletableFuture<Set<Long>> watchersOf(long uid) {
        String key = store.keys().presenceWatchers(uid);
        long now = clock.millis();
        // expired entries would be filtered out anyway: removing them only bounds the set, so a failure is logged
        redis.zremrangebyscore(key, Range.create(Double.NEGATIVE_INFINITY, (double) now - 1)).whenComplete((n, e) -> {
            if (e != null) {
                log.debug("[uid {}] could not trim expired presence watchers: {}", uid, e.toString());
            }
        });
        return redis.zrangebyscore(key, Range.create((double) now, Double.POSITIVE_INFINITY)).toCompletableFuture()
                .thenApply(members -> members.stream().map(Long::parseLong)
                        .collect(Collectors.toCollection(LinkedHashSet::new)));
    }
}
