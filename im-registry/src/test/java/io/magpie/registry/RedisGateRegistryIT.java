package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@link GateRegistryContract} on a real Redis, and what only the Redis layout promises (ids set, TTL). */
@ExtendWith(InfrastructureExtension.class)
class RedisGateRegistryIT extends GateRegistryContract {

    private static RedisStore store;

    @BeforeAll
    static void connect(Infrastructure infra, TestIsolation isolation) {
        store = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Override
    protected GateRegistry registry(Duration ttl) {
        return new RedisGateRegistry(store, ttl);
    }

    @Test
    void listRemovesAnExpiredIdFromTheSet() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofMillis(200));
        registry.publish(gate("set-dies", 17_601, 1)).join();
        assertTrue(store.strings().sync().sismember(store.keys().gates(), "set-dies"));
        org.awaitility.Awaitility.await().atMost(VISIBLE).until(() -> registry.list().join().stream()
                .noneMatch(g -> g.gateId().equals("set-dies"))
                && !store.strings().sync().sismember(store.keys().gates(), "set-dies"));
    }

    @Test
    void publishRefreshesTheTtl() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofSeconds(30));
        registry.publish(gate("pttl-refresh", 17_602, 1)).join();
        registry.publish(gate("pttl-refresh", 17_602, 2)).join();
        long ttl = store.strings().sync().pttl(store.keys().gate("pttl-refresh"));
        assertTrue(ttl > 25_000 && ttl <= 30_000, "ttl " + ttl);
    }

    @Test
    void anOlderGatesEntryReadsAsTheDefaultCapacityAndNoZone() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofSeconds(30));
        // an entry as a gate from before the fields writes it (HSET leaves no field of a newer one behind)
        registry.publish(gate("older", 17_603, 5)).join();
        store.strings().sync().hdel(store.keys().gate("older"), "capacity", "zone");
        GateInfo older = registry.find("older").join().orElseThrow();
        assertEquals(GateInfo.DEFAULT_CAPACITY, older.capacity());
        assertEquals("", older.zone());
        assertTrue(registry.list().join().contains(older), "listed too, not skipped as malformed");
    }

    @Test
    void removeAlsoForgetsTheIdInTheSet() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofSeconds(30));
        registry.publish(gate("set-leaving", 17_604, 3)).join();
        registry.remove("set-leaving").join();
        assertEquals(Optional.empty(), registry.find("set-leaving").join());
        assertFalse(store.strings().sync().sismember(store.keys().gates(), "set-leaving"));
    }
}
