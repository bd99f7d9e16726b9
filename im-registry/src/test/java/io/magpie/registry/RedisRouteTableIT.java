package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class RedisRouteTableIT {

    private static RedisStore store;
    private static RouteTable routes;

    @BeforeAll
    static void connect(Infrastructure infra, TestIsolation isolation) {
        store = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
        routes = new RedisRouteTable(store);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void registerReturnsTheRouteItReplaced() {
        Route first = new Route(1, "phone", "IOS", "gate-a", 10, 1000);
        Route second = new Route(1, "phone", "IOS", "gate-b", 20, 2000);
        assertEquals(Optional.empty(), routes.register(first).join());
        assertEquals(Optional.of(first), routes.register(second).join());
        assertEquals(Map.of(1L, List.of(second)), routes.lookup(List.of(1L)).join());
        String stored = store.strings().sync().hget(store.keys().route(1), "phone");
        assertTrue(stored.startsWith("gate-b|20|IOS|2000|"), stored);
    }

    @Test
    void aRouteThatIsNotRefreshedWithinItsTtlStopsCountingAndIsRemoved() {
        Route route = new Route(3, "phone", "IOS", "gate-crashed", 30, 1000);
        Duration ttl = Duration.ofSeconds(90);
        routes.register(route).join();
        var sync = store.strings().sync();
        long pttl = sync.pttl(store.keys().route(3));
        assertTrue(pttl > 0 && pttl <= ttl.toMillis(), "the hash expires unless refreshed, PTTL " + pttl);

        // the router's view one TTL later, without a refresh in between (a crashed gate refreshes nothing)
        Clock later = Clock.offset(Clock.systemUTC(), ttl.plusSeconds(5));
        RouteTable afterTtl = new RedisRouteTable(store, ttl, later);
        assertEquals(List.of(), afterTtl.lookup(List.of(3L)).join().get(3L));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> sync.hget(store.keys().route(3), "phone") == null);

        // a refreshed route counts again for as long
        routes.register(route).join();
        assertEquals(List.of(route), routes.lookup(List.of(3L)).join().get(3L));
    }

    @Test
    void pruneRemovesOnlyTheNamedConnectionsOfThatGate() {
        Route gone = new Route(4, "phone", "IOS", "gate-a", 40, 1000);
        Route otherGate = new Route(4, "desk", "DESKTOP", "gate-b", 40, 1000);
        Route alive = new Route(4, "pad", "IOS", "gate-a", 41, 1000);
        routes.register(gone).join();
        routes.register(otherGate).join();
        routes.register(alive).join();

        assertEquals(1, routes.prune(4, "gate-a", List.of(40L)).join());

        assertEquals(Set.of(otherGate, alive), Set.copyOf(routes.lookup(List.of(4L)).join().get(4L)));
    }

    @Test
    void unregisterRemovesOnlyTheSameConnection() {
        Route old = new Route(2, "phone", "ANDROID", "gate-a", 7, 1000);
        Route current = new Route(2, "phone", "ANDROID", "gate-a", 77, 2000);
        routes.register(old).join();
        routes.register(current).join();

        assertFalse(routes.unregister(old).join(), "the old connection closing must not remove the new route");
        assertEquals(List.of(current), routes.lookup(List.of(2L)).join().get(2L));

        assertTrue(routes.unregister(current).join());
        assertEquals(List.of(), routes.lookup(List.of(2L)).join().get(2L));
        assertFalse(routes.unregister(current).join(), "nothing left to remove");
    }

    @Test
    void lookupOfManyUsersAnswersEveryUid() {
        List<Long> uids = new ArrayList<>();
        for (long uid = 100; uid < 300; uid++) {
            uids.add(uid);
            if (uid % 2 == 0) {
                routes.register(new Route(uid, "phone", "IOS", "gate-a", uid, 1)).join();
                routes.register(new Route(uid, "desk", "DESKTOP", "gate-b", uid + 1000, 2)).join();
            }
        }
        Map<Long, List<Route>> found = routes.lookup(uids).join();
        assertEquals(Set.copyOf(uids), found.keySet());
        for (long uid = 100; uid < 300; uid++) {
            Set<String> devices = found.get(uid).stream().map(Route::deviceId).collect(Collectors.toSet());
            assertEquals(uid % 2 == 0 ? Set.of("phone", "desk") : Set.of(), devices, "uid " + uid);
        }
    }

    @Test
    void unreadableRouteIsSkippedNotFatal() {
        routes.register(new Route(5, "phone", "IOS", "gate-a", 1, 1)).join();
        store.strings().sync().hset(store.keys().route(5), "broken", "not-a-route");
        assertEquals(List.of("phone"), routes.lookup(List.of(5L)).join().get(5L).stream().map(Route::deviceId).toList());
    }
}
