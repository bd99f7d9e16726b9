package io.magpie.das;

import io.magpie.registry.StorageException;

import io.magpie.registry.RedisKeys;
import io.magpie.registry.RedisStore;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.codec.ByteArrayCodec;
import io.magpie.registry.internal.CommandBatch;
import io.magpie.das.internal.TimelineEncoding;
import io.magpie.protocol.proto.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The hot timelines in Redis: ZSET {@code <prefix>timeline:<conversationId>} (score seq, member the
 * protobuf {@code Message} bytes), trimmed to the newest {@code maxEntries}, and the counters HASH
 * {@code <prefix>conv:lastseq} (conversation id -> last seq).
 *
 * <p>A cache only: MySQL holds every message, and everything here can be rebuilt from it. A reader
 * must treat a short or holed {@link #range} answer as a miss and read MySQL.
 *
 * <p>Thread-safe and non-blocking; shares the store's connections.
 */
public final class TimelineCache {

    public static final int DEFAULT_MAX_ENTRIES = 200;
    public static final Duration DEFAULT_TTL = Duration.ofDays(3);

    /** HSET the last seq only if it is higher: a replayed older batch never lowers it. */
    static final String RAISE_LAST_SEQ = """
            local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
            if tonumber(ARGV[2]) > current then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
              return 1
            end
            return 0""";

    private final RedisStore store;
    private final int maxEntries;
    private final long ttlMillis;

    /**
     * @param maxEntries newest messages kept per conversation (at least 1)
     * @param ttl        a timeline nobody writes to expires after this (refreshed on every append);
     *                   {@link Duration#ZERO} keeps it forever
     */
    public TimelineCache(RedisStore store, int maxEntries, Duration ttl) {
        this.store = Objects.requireNonNull(store, "store");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("timeline maxEntries must be at least 1, got " + maxEntries);
        }
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("timeline ttl must not be negative, got " + ttl);
        }
        this.maxEntries = maxEntries;
        this.ttlMillis = ttl.toMillis();
    }

    public TimelineCache(RedisStore store) {
        this(store, DEFAULT_MAX_ENTRIES, DEFAULT_TTL);
    }

    /**
     * Adds persisted messages to their timelines, in one pipelined round trip: per conversation,
     * replace each seq's entry, trim to the newest entries, refresh the TTL and raise the last seq.
     * Idempotent: appending the same messages again changes nothing. A record that cannot be
     * rendered (unknown conversation type, malformed conversation id) fails the returned future
     * and nothing is written.
     */
    public CompletableFuture<Void> appendBatch(List<MessageRecord> messages) {
        CommandBatch<byte[], byte[]> batch;
        try {
            batch = buildAppend(messages);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return batch.dispatch(store.bytes());
    }

    private CommandBatch<byte[], byte[]> buildAppend(List<MessageRecord> messages) {
        Map<String, List<MessageRecord>> byConversation = new LinkedHashMap<>();
        for (MessageRecord m : messages) {
            byConversation.computeIfAbsent(m.conversationId(), c -> new ArrayList<>()).add(m);
        }
        CommandBatch<byte[], byte[]> batch = new CommandBatch<>(ByteArrayCodec.INSTANCE);
        byte[] lastSeqKey = RedisKeys.bytes(store.keys().conversationLastSeq());
        byConversation.forEach((conversationId, records) -> {
            byte[] key = RedisKeys.bytes(store.keys().timeline(conversationId));
            List<Double> scores = new ArrayList<>(records.size());
            List<byte[]> members = new ArrayList<>(records.size());
            long lastSeq = 0;
            for (MessageRecord m : records) {
                // one entry per seq: a changed rendering of the same seq replaces the old one
                batch.zremrangebyscore(key, m.seq(), m.seq());
                scores.add((double) m.seq());
                members.add(TimelineEncoding.encode(m));
                lastSeq = Math.max(lastSeq, m.seq());
            }
            batch.zadd(key, scores, members);
            batch.zremrangebyrank(key, 0, -(maxEntries + 1L));
            if (ttlMillis > 0) {
                batch.pexpire(key, ttlMillis);
            }
            batch.evalInteger(RAISE_LAST_SEQ, List.of(lastSeqKey),
                    List.of(utf8(conversationId), utf8(Long.toString(lastSeq))));
        });
        return batch;
    }

    /** The cached last seq of a conversation; empty when Redis does not know it (read MySQL). */
    public CompletableFuture<OptionalLong> lastSeq(String conversationId) {
        return store.strings().async().hget(store.keys().conversationLastSeq(), conversationId)
                .toCompletableFuture()
                .thenApply(value -> value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value)));
    }

    /**
     * Cached messages with {@code fromSeq <= seq <= toSeq}, ascending, at most {@code limit}. Entries
     * older than the newest {@code maxEntries} are not cached: compare the answer with the range
     * asked for.
     */
    public CompletableFuture<List<Message>> range(String conversationId, long fromSeq, long toSeq, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        byte[] key = RedisKeys.bytes(store.keys().timeline(conversationId));
        return store.bytes().async().zrangebyscore(key, Range.create(fromSeq, toSeq), Limit.create(0, limit))
                .toCompletableFuture()
                .thenApply(members -> decodeAll(conversationId, members));
    }

    private static List<Message> decodeAll(String conversationId, List<byte[]> members) {
        List<Message> messages = new ArrayList<>(members.size());
        for (byte[] member : members) {
            try {
                messages.add(Message.parseFrom(member));
            } catch (InvalidProtocolBufferException e) {
                throw new StorageException("timeline of " + conversationId + " holds an entry that is not a"
                        + " Message (" + member.length + " bytes): " + e.getMessage()
                        + "; read the range from MySQL", e, false);
            }
        }
        return messages;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
