package io.magpie.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class RedisGateRegistryIT {

    private static RedisStore store;

    @BeforeAll
    static void connect(Infrastructure infra, TestIsolation isolation) {
        store = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static GateInfo gate(String id, int connections) {
        return new GateInfo(id, "127.0.0.1", 7000, 7001, 7002, connections, GateState.ACTIVE, Set.of("chat"), "",
                1_700_000_000_000L);
    }

    @Test
    void publishedGateIsListedAndFoundThenExpiresAndLeavesTheSet() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofMillis(500));
        GateInfo stays = gate("ttl-stays", 1);
        GateInfo dies = gate("ttl-dies", 2);
        registry.publish(stays).join();
        registry.publish(dies).join();
        assertEquals(List.of(dies, stays), registry.list().join().stream()
                .filter(g -> g.gateId().startsWith("ttl-")).toList());
        assertEquals(Optional.of(dies), registry.find("ttl-dies").join());

        // only "stays" keeps publishing; "dies" stops (crashed)
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            registry.publish(stays).join();
            return registry.list().join().stream().noneMatch(g -> g.gateId().equals("ttl-dies"));
        });
        assertTrue(registry.list().join().contains(stays));
        assertEquals(Optional.empty(), registry.find("ttl-dies").join());
        assertFalse(store.strings().sync().sismember(store.keys().gates(), "ttl-dies"),
                "list() removed the expired id from the set");
        assertTrue(store.strings().sync().sismember(store.keys().gates(), "ttl-stays"));
    }

    @Test
    void publishRewritesTheEntryAndRefreshesTheTtl() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofSeconds(30));
        registry.publish(gate("rewrite", 1)).join();
        GateInfo draining = new GateInfo("rewrite", "127.0.0.1", 7000, 7001, 7002, 0, GateState.DRAINING, Set.of(),
                "canary", 1_700_000_001_000L);
        registry.publish(draining).join();
        assertEquals(Optional.of(draining), registry.find("rewrite").join());
        long ttl = store.strings().sync().pttl(store.keys().gate("rewrite"));
        assertTrue(ttl > 25_000 && ttl <= 30_000, "ttl " + ttl);
    }

    @Test
    void capacityAndZoneRoundTripAndAnOlderGatesEntryReadsAsTheDefaultCapacity() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofSeconds(30));
        GateInfo sized = new GateInfo("sized", "127.0.0.1", 7000, 7001, 7002, 10, GateState.ACTIVE, Set.of(), "",
                1_700_000_000_000L, "/ws", false, 50_000, "eu-west-1a");
        registry.publish(sized).join();
        assertEquals(Optional.of(sized), registry.find("sized").join());

        // an entry as a gate from before the fields writes it (HSET leaves no field of a newer one behind)
        registry.publish(gate("older", 5)).join();
        store.strings().sync().hdel(store.keys().gate("older"), "capacity", "zone");
        GateInfo older = registry.find("older").join().orElseThrow();
        assertEquals(GateInfo.DEFAULT_CAPACITY, older.capacity());
        assertEquals("", older.zone());
        assertTrue(registry.list().join().contains(older), "listed too, not skipped as malformed");
    }

        @Test
    void removeForgetsTheGateNow() {
        RedisGateRegistry registry = new RedisGateRegistry(store, Duration.ofSeconds(30));
        registry.publish(gate("leaving", 3)).join();
        registry.remove("leaving").join();
        assertEquals(Optional.empty(), registry.find("leaving").join());
        assertTrue(registry.list().join().stream().noneMatch(g -> g.gateId().equals("leaving")));
        assertFalse(store.strings().sync().sismember(store.keys().gates(), "leaving"));
    }
}
