package io.magpie.server.faults;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

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
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
            long deleted = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    deleted += redis.del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return deleted;
        } finally {
            client.shutdown();
        }
    }

    /** How many keys under {@code prefix} exist now. */
    static long count(String redisUri, String prefix) {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
            long count = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, match);
                count += page.getKeys().size();
                cursor = page;
            } while (!cursor.isFinished());
            return count;
        } finally {
            client.shutdown();
        }
    }

    /** Whether the hash {@code key} has {@code field} (a route is {@code <prefix>route:<uid>} -> device id). */
    static boolean hashHas(String redisUri, String key, String field) {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().hexists(key, field);
        } finally {
            client.shutdown();
        }
    }
}
