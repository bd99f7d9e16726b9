package io.magpie.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link GateRegistry} guarantees, run against each implementation by a subclass (Redis always, Nacos
 * when a server is given). As in production, each gate publishes through its own registry (its own process) and
 * the gates are read through another (an LSB's or a router's). Writes become visible to readers eventually: the
 * Redis registry at once, Nacos usually within milliseconds; the tests wait for visibility (bounded by
 * {@link #VISIBLE}) and assert what is seen, never how fast.
 */
abstract class GateRegistryContract {

    /** How long a test waits for a write to show; generous, as shared machines are slow. */
    static final Duration VISIBLE = Duration.ofSeconds(20);

    /**
     * A new registry whose entries are listed for {@code ttl} after their last publish; the subclass closes it after
     * the test. Registries of one test class share one store (one Redis key prefix, one Nacos service).
     */
    protected abstract GateRegistry registry(Duration ttl);

    /** A gate with its own internal port (a gate is an endpoint: two gates never share host and internal port). */
    static GateInfo gate(String id, int internalPort, int connections) {
        return new GateInfo(id, "127.0.0.1", 7000, 7001, internalPort, connections, GateState.ACTIVE, Set.of("chat"),
                "", 1_700_000_000_000L);
    }

    static List<GateInfo> listed(GateRegistry reader, String idPrefix) {
        return reader.list().join().stream().filter(g -> g.gateId().startsWith(idPrefix)).toList();
    }

    @Test
    void publishedGatesAreListedInIdOrderAndFound() {
        GateInfo a = gate("order-a", 17_101, 1);
        GateInfo b = gate("order-b", 17_102, 2);
        registry(Duration.ofMinutes(5)).publish(b).join();
        registry(Duration.ofMinutes(5)).publish(a).join();
        GateRegistry reader = registry(Duration.ofMinutes(5));
        await().atMost(VISIBLE).until(() -> listed(reader, "order-").size() == 2);
        assertEquals(List.of(a, b), listed(reader, "order-"));
        assertEquals(Optional.of(a), reader.find("order-a").join());
        assertEquals(Optional.of(b), reader.find("order-b").join());
    }

    @Test
    void aGateThatStopsPublishingDisappearsAndOneThatKeepsPublishingStays() {
        Duration ttl = Duration.ofSeconds(1);
        GateRegistry staysWriter = registry(ttl);
        GateRegistry diesWriter = registry(ttl);
        GateRegistry reader = registry(ttl);
        GateInfo stays = gate("ttl-stays", 17_201, 1);
        GateInfo dies = gate("ttl-dies", 17_202, 2);
        staysWriter.publish(stays).join();
        diesWriter.publish(dies).join();
        await().atMost(VISIBLE).until(() -> {
            staysWriter.publish(stays).join();
            diesWriter.publish(dies).join();
            return listed(reader, "ttl-").equals(List.of(dies, stays));
        });

        // only "stays" keeps publishing; "dies" stops (wedged or crashed)
        await().atMost(VISIBLE).pollInterval(Duration.ofMillis(100)).until(() -> {
            staysWriter.publish(stays).join();
            return reader.find("ttl-dies").join().isEmpty() && listed(reader, "ttl-").equals(List.of(stays));
        });
    }

    @Test
    void republishingRewritesTheEntryAndDrainingIsSeen() {
        GateRegistry writer = registry(Duration.ofMinutes(5));
        GateRegistry reader = registry(Duration.ofMinutes(5));
        writer.publish(gate("rewrite", 17_301, 1)).join();
        await().atMost(VISIBLE).until(() -> reader.find("rewrite").join().isPresent());
        GateInfo draining = new GateInfo("rewrite", "127.0.0.1", 7000, 7001, 17_301, 0, GateState.DRAINING, Set.of(),
                "canary", 1_700_000_001_000L);
        writer.publish(draining).join();
        await().atMost(VISIBLE).until(() -> reader.find("rewrite").join().equals(Optional.of(draining)));
        assertEquals(List.of(draining), listed(reader, "rewrite"), "one entry per gate, the latest");
    }

    @Test
    void everyFieldRoundTrips() {
        GateRegistry writer = registry(Duration.ofMinutes(5));
        GateRegistry reader = registry(Duration.ofMinutes(5));
        GateInfo full = new GateInfo("fields", "10.1.2.3", 7443, 7444, 17_401, 10, GateState.ACTIVE,
                Set.of("chat", "game"), "canary", 1_700_000_002_000L, "/im", true, 50_000, "eu-west-1a");
        GateInfo bare = new GateInfo("fields-bare", "10.1.2.4", 0, 0, 17_402, 0, GateState.ACTIVE, Set.of(), "",
                1_700_000_003_000L);
        writer.publish(full).join();
        registry(Duration.ofMinutes(5)).publish(bare).join();
        await().atMost(VISIBLE).until(() -> listed(reader, "fields").size() == 2);
        assertEquals(List.of(full, bare), listed(reader, "fields"));
    }

    @Test
    void removeForgetsTheGate() {
        GateRegistry writer = registry(Duration.ofMinutes(5));
        GateRegistry reader = registry(Duration.ofMinutes(5));
        writer.publish(gate("leaving", 17_501, 3)).join();
        await().atMost(VISIBLE).until(() -> reader.find("leaving").join().isPresent());
        writer.remove("leaving").join();
        await().atMost(VISIBLE).until(() -> reader.find("leaving").join().isEmpty());
        assertTrue(listed(reader, "leaving").isEmpty());
    }

    @Test
    void anUnknownGateIsNotFound() {
        assertEquals(Optional.empty(), registry(Duration.ofMinutes(5)).find("nobody-" + System.nanoTime()).join());
    }
}
