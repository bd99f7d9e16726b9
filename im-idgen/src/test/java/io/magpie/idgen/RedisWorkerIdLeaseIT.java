package io.magpie.idgen;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class RedisWorkerIdLeaseIT {

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> redis;
    private static ScheduledExecutorService scheduler;
    private static String prefix;

    @BeforeAll
    static void connect(Infrastructure infra, TestIsolation isolation) {
        client = RedisClient.create(infra.redisUri());
        connection = client.connect();
        redis = connection.sync();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        prefix = isolation.redisKeyPrefix();
    }

    @AfterAll
    static void close() {
        scheduler.shutdownNow();
        connection.close();
        client.shutdown();
    }

    private static RedisWorkerIdLease acquire(String keyPrefix, Duration ttl) {
        return RedisWorkerIdLease.acquire(redis, keyPrefix, ttl, scheduler, Clock.systemUTC());
    }

    @Test
    void twoLeasesNeverShareAWorkerId() {
        try (RedisWorkerIdLease a = acquire(prefix + "two:", Duration.ofSeconds(30));
             RedisWorkerIdLease b = acquire(prefix + "two:", Duration.ofSeconds(30))) {
            assertNotEquals(a.workerId(), b.workerId());
            assertTrue(a.valid() && b.valid());
            assertEquals(prefix + "two:idgen:worker:" + a.workerId(), a.key());
            assertNotEquals(redis.get(a.key()), redis.get(b.key()), "each lease has its own owner token");
        }
    }

    @Test
    void whenAllIdsAreTakenAcquireFailsAndAReleasedIdIsTheOneHandedOutNext() {
        String full = prefix + "full:";
        List<RedisWorkerIdLease> leases = new ArrayList<>();
        try {
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i <= RedisWorkerIdLease.MAX_WORKER_ID; i++) {
                RedisWorkerIdLease lease = acquire(full, Duration.ofSeconds(30));
                leases.add(lease);
                assertTrue(ids.add(lease.workerId()), "worker id " + lease.workerId() + " handed out twice");
            }
            IdGenerationException e = assertThrows(IdGenerationException.class,
                    () -> acquire(full, Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("all 1024"), e.getMessage());
            assertTrue(e.retryable());

            RedisWorkerIdLease released = leases.remove(517);
            released.close();
            assertFalse(released.valid());
            assertEquals(0, redis.exists(released.key()), "release deletes the key");
            RedisWorkerIdLease again = acquire(full, Duration.ofSeconds(30));
            leases.add(again);
            assertEquals(released.workerId(), again.workerId());
        } finally {
            leases.forEach(RedisWorkerIdLease::close);
        }
    }

    @Test
    void renewalKeepsTheLeaseBeyondItsTtl() throws InterruptedException {
        try (RedisWorkerIdLease lease = acquire(prefix + "renew:", Duration.ofMillis(1000))) {
            Thread.sleep(2500);
            assertTrue(lease.valid());
            assertTrue(redis.pttl(lease.key()) > 0);
        }
    }

    @Test
    void aDeletedKeyIsClaimedAgainAtRenewalAndIdsGoOn() throws InterruptedException {
        try (RedisWorkerIdLease lease = acquire(prefix + "deleted:", Duration.ofMillis(300))) {
            SnowflakeIdGenerator generator = new SnowflakeIdGenerator(lease, Clock.systemUTC(),
                    SnowflakeConfig.defaults());
            long before = generator.nextId();
            redis.del(lease.key());
            await().atMost(Duration.ofSeconds(3)).until(() -> redis.exists(lease.key()) == 1);
            assertTrue(redis.pttl(lease.key()) > 0, "the claimed key expires like the original");
            Thread.sleep(400); // past the ttl of the deleted key: only renewals keep it valid now
            assertTrue(lease.valid());
            long after = generator.nextId();
            assertTrue(after > before);
            assertEquals(lease.workerId(), SnowflakeId.parse(after, SnowflakeConfig.defaults()).workerId());
        }
    }

    @Test
    void aKeyTakenOverByAnotherOwnerIsLostAndNotDeletedAtRelease() {
        RedisWorkerIdLease lease = acquire(prefix + "taken:", Duration.ofMillis(300));
        redis.set(lease.key(), "another-process");
        await().atMost(Duration.ofSeconds(3)).until(() -> !lease.valid());
        lease.close();
        assertEquals("another-process", redis.get(lease.key()), "a lease never deletes a key it does not own");
    }
}
