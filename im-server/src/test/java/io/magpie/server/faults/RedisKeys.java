package io.magpie.server.faults;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Loses a deployment's Redis data the way a FLUSHALL or a restart without persistence does, limited
 * to one key prefix because the test JVM's Redis is shared with other test classes: SCAN MATCH
 * {@code <prefix>*} and DEL what it finds. Stateless.
 */
final class RedisKeys {

    private RedisKeys() {
    }

    /** @return how many keys were deleted */
    static long deleteAll(String redisUri, String prefix) {
        return withRedis(redisUri, redis -> scan(redis, prefix, keys -> redis.del(keys.toArray(new String[0]))));
    }

    /** How many keys under {@code prefix} exist now. */
    static long count(String redisUri, String prefix) {
        return withRedis(redisUri, redis -> scan(redis, prefix, keys -> (long) keys.size()));
    }

    /** SCAN MATCH {@code <prefix>*} page by page; sums what {@code perPage} returns for each non-empty page. */
    private static long scan(RedisCommands<String, String> redis, String prefix, ToLongFunction<List<String>> perPage) {
        ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
        long sum = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, match);
            if (!page.getKeys().isEmpty()) {
                sum += perPage.applyAsLong(page.getKeys());
            }
            cursor = page;
        } while (!cursor.isFinished());
        return sum;
    }

    private static <T> T withRedis(String redisUri, Function<RedisCommands<String, String>, T> work) {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return work.apply(connection.sync());
        } finally {
            client.shutdown();
        }
    }

    /** Whether the hash {@code key} has {@code field} (a route is {@code <prefix>route:<uid>} -> device id). */
    static boolean hashHas(String redisUri, String key, String field) {
        return withRedis(redisUri, redis -> redis.hexists(key, field));
    }
}
