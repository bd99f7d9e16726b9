package io.magpie.registry;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ActiveSessions} on Redis: STRING {@code <prefix>session:<uid>:<deviceId>} = the current session
 * id, or {@code out:<sessionId>} after a gate's LOGOUT, with the refresh-token lifetime as TTL (so it
 * goes with the session it names). Thread-safe; shares the store's string connection.
 */
public final class RedisActiveSessions implements ActiveSessions {

    static final String LOGGED_OUT_PREFIX = "out:";

    /** Mark ARGV[1] logged out unless the device moved on to another session; keep the TTL if any. */
    static final String LOGOUT = """
            local current = redis.call('GET', KEYS[1])
            if current and current ~= ARGV[1] then return 0 end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl <= 0 then ttl = tonumber(ARGV[3]) end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
            return 1""";

    private final String prefix;
    private final RedisAsyncCommands<String, String> redis;

    public RedisActiveSessions(RedisStore store) {
        Objects.requireNonNull(store, "store");
        this.prefix = store.keys().prefix() + "session:";
        this.redis = store.strings().async();
    }

    String key(long uid, String deviceId) {
        return prefix + uid + ":" + deviceId;
    }

    @Override
    public CompletableFuture<Status> status(long uid, String deviceId, long sessionId) {
        String id = Long.toString(sessionId);
        return redis.get(key(uid, deviceId)).toCompletableFuture().thenApply(value -> {
            if (value == null) {
                return Status.UNKNOWN;
            }
            if (value.equals(id)) {
                return Status.CURRENT;
            }
            return value.equals(LOGGED_OUT_PREFIX + id) ? Status.LOGGED_OUT : Status.REPLACED;
        });
    }

    @Override
    public CompletableFuture<Void> activate(long uid, String deviceId, long sessionId, Duration ttl) {
        return redis.set(key(uid, deviceId), Long.toString(sessionId), SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
                .toCompletableFuture().thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Void> revoke(long uid, String deviceId) {
        return redis.del(key(uid, deviceId)).toCompletableFuture().thenApply(n -> null);
    }

    @Override
    public CompletableFuture<Void> logout(long uid, String deviceId, long sessionId, Duration ttlIfAbsent) {
        String id = Long.toString(sessionId);
        return redis.<Long>eval(LOGOUT, ScriptOutputType.INTEGER, new String[] {key(uid, deviceId)}, id,
                        LOGGED_OUT_PREFIX + id, Long.toString(Math.max(1, ttlIfAbsent.toMillis())))
                .toCompletableFuture().thenApply(n -> null);
    }
}
