package io.magpie.lsb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import io.magpie.testkit.MutableClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GateSelectorTest {

    private static final long T0 = 1_750_000_000_000L;
    private final MutableClock clock = new MutableClock(T0);
    /** Report ages do not matter in most tests: they have their own selector below. */
    private final GateSelector selector = new GateSelector(Duration.ofSeconds(10), Duration.ofMinutes(10), clock);

    private static GateInfo gate(String id, int connections, GateState state, Set<String> apps, String gray,
                                 long updatedAt) {
        return new GateInfo(id, "10.0.0." + id.length(), 9000, 9001, 9100, connections, state, apps, gray, updatedAt);
    }

    private static GateInfo active(String id, int connections, long updatedAt) {
        return gate(id, connections, GateState.ACTIVE, Set.of(), null, updatedAt);
    }

    private static GateInfo sized(String id, int connections, int capacity, String zone) {
        return new GateInfo(id, "10.0.0." + id.length(), 9000, 9001, 9100, connections, GateState.ACTIVE, Set.of(),
                "", T0, "/ws", false, capacity, zone);
    }

    private String choose() {
        return selector.choose(null, null).orElseThrow().gateId();
    }

    private Map<String, Integer> chooseTimes(int n, String appId, String gray) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(selector.choose(appId, gray).orElseThrow().gateId(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void picksTheGateWithTheFewestReportedConnections() {
        selector.update(List.of(active("a", 10, T0), active("b", 5, T0), active("c", 20, T0)));

        assertEquals("b", choose());
    }

    @Test
    void noGateRegisteredMeansNoChoice() {
        assertTrue(selector.choose(null, null).isEmpty());
        selector.update(List.of());
        assertTrue(selector.choose("app", "gray").isEmpty());
    }

    @Test
    void countsItsOwnAssignmentsSoAStormIsSpreadByHeadroom() {
        selector.update(List.of(active("a", 10, T0), active("b", 20, T0), active("d", 30, T0)));
        clock.advance(Duration.ofMillis(1));

        Map<String, Integer> counts = chooseTimes(30, null, null);

        // a is 10 behind b and 20 behind d: the first 10 go to a, the next 20 alternate a/b;
        // nobody ever reaches d's 30 until both are there.
        assertEquals(Map.of("a", 20, "b", 10), counts);
        assertEquals(List.of(20, 10, 0), selector.loads().stream().map(GateSelector.GateLoad::recentAssignments).toList());
    }

    @Test
    void aReportNewerThanTheAssignmentsReplacesThem() {
        selector.update(List.of(active("a", 0, T0), active("b", 0, T0)));
        clock.advance(Duration.ofMillis(5));
        assertEquals(Map.of("a", 5, "b", 5), chooseTimes(10, null, null));

        // a reports after those assignments: only 1 of its 5 clients arrived, so its load is 1 now,
        // while b's report is still the old one and its 5 assignments still count.
        clock.advance(Duration.ofMillis(5));
        selector.update(List.of(active("a", 1, clock.millis()), active("b", 0, T0)));
        clock.advance(Duration.ofMillis(5));

        assertEquals(Map.of("a", 4), chooseTimes(4, null, null));
        assertEquals(Map.of("a", 1, "b", 1), chooseTimes(2, null, null));
    }

    @Test
    void assignmentsBeforeAStaleGatesLastReportAreNotCountedTwice() {
        // b reported 8 s ago; assignments made before that report are already in its count.
        clock.advance(Duration.ofSeconds(8));
        selector.update(List.of(active("a", 3, clock.millis()), active("b", 0, T0)));

        Map<String, Integer> counts = chooseTimes(3, null, null);

        assertEquals(Map.of("b", 3), counts, "b's stale report has headroom until its own assignments fill it");
        assertEquals(2, chooseTimes(2, null, null).size(), "then both gates are equal and take turns");
    }

    @Test
    void assignmentsOlderThanTheWindowAreForgotten() {
        selector.update(List.of(active("a", 0, T0), active("b", 3, T0)));
        clock.advance(Duration.ofMillis(1));
        assertEquals(Map.of("a", 3), chooseTimes(3, null, null));

        // no new report for longer than the window: the clients sent to a either connected (and will
        // show in a report) or never came; the LSB stops guessing.
        clock.advance(Duration.ofSeconds(11));

        assertEquals(Map.of("a", 3), chooseTimes(3, null, null));
    }

    @Test
    void aDrainingGateIsNeverChosenEvenWhenEmpty() {
        selector.update(List.of(gate("drain", 0, GateState.DRAINING, Set.of(), null, T0), active("busy", 1000, T0)));

        assertEquals(Map.of("busy", 50), chooseTimes(50, null, null));

        selector.update(List.of(gate("drain", 0, GateState.DRAINING, Set.of(), null, T0)));
        assertTrue(selector.choose(null, null).isEmpty());
    }

    @Test
    void appIdsIsolateGatesAndEmptyAppIdsServeEveryApp() {
        selector.update(List.of(
                gate("chat", 50, GateState.ACTIVE, Set.of("chat", "support"), null, T0),
                gate("game", 0, GateState.ACTIVE, Set.of("game"), null, T0),
                gate("shared", 100, GateState.ACTIVE, Set.of(), null, T0)));

        assertEquals("chat", selector.choose("chat", null).orElseThrow().gateId());
        assertEquals("chat", selector.choose("support", null).orElseThrow().gateId());
        assertEquals("game", selector.choose("game", null).orElseThrow().gateId());
        assertEquals("shared", selector.choose("other", null).orElseThrow().gateId());
        assertEquals("shared", selector.choose(null, null).orElseThrow().gateId(),
                "a client without an app id never lands on a gate dedicated to some app");
        assertEquals("shared", selector.choose("  ", null).orElseThrow().gateId());
    }

    @Test
    void appIsolationCanLeaveNoGate() {
        selector.update(List.of(gate("game", 0, GateState.ACTIVE, Set.of("game"), null, T0)));

        assertTrue(selector.choose("chat", null).isEmpty());
        assertTrue(selector.choose(null, null).isEmpty());
    }

    @Test
    void aGrayTagPrefersItsGatesAndFallsBackToUntaggedOnes() {
        selector.update(List.of(
                gate("canary", 500, GateState.ACTIVE, Set.of(), "canary", T0),
                gate("stable", 10, GateState.ACTIVE, Set.of(), null, T0),
                gate("beta", 0, GateState.ACTIVE, Set.of(), "beta", T0)));

        assertEquals("canary", selector.choose(null, "canary").orElseThrow().gateId());
        assertEquals("stable", selector.choose(null, "no-such-group").orElseThrow().gateId());
        assertEquals(Map.of("stable", 20), chooseTimes(20, null, null),
                "untagged clients never land on gray gates, however idle they are");
    }

    @Test
    void aGrayClientFallsBackToUntaggedWhenItsGrayGatesAreDraining() {
        selector.update(List.of(
                gate("canary", 0, GateState.DRAINING, Set.of(), "canary", T0),
                gate("stable", 10, GateState.ACTIVE, Set.of(), "", T0)));

        assertEquals("stable", selector.choose(null, "canary").orElseThrow().gateId());
    }

    @Test
    void appAndGrayFiltersCombine() {
        selector.update(List.of(
                gate("chat-canary", 0, GateState.ACTIVE, Set.of("chat"), "canary", T0),
                gate("game-canary", 0, GateState.ACTIVE, Set.of("game"), "canary", T0),
                gate("chat", 10, GateState.ACTIVE, Set.of("chat"), null, T0)));

        assertEquals("chat-canary", selector.choose("chat", "canary").orElseThrow().gateId());
        assertEquals("chat", selector.choose("chat", null).orElseThrow().gateId());
        assertTrue(selector.choose("game", null).isEmpty());
    }

    @Test
    void tiesAreSharedNotHerded() {
        selector.update(List.of(active("a", 7, T0), active("b", 7, T0), active("c", 7, T0)));
        clock.advance(Duration.ofMillis(1));

        Set<String> firstRound = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            firstRound.add(choose());
        }

        assertEquals(Set.of("a", "b", "c"), firstRound);
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), chooseTimes(30, null, null));
    }

    @Test
    void aGateThatLeftTheRegistryIsNoLongerChosenNorListed() {
        selector.update(List.of(active("a", 0, T0), active("b", 5, T0)));
        clock.advance(Duration.ofMillis(1));
        assertEquals("a", choose());

        selector.update(List.of(active("b", 5, T0)));

        assertEquals("b", choose());
        assertEquals(List.of("b"), selector.loads().stream().map(l -> l.gate().gateId()).toList());
        assertFalse(selector.loads().isEmpty());
    }

    @Test
    void aGateComingBackStartsWithoutOldAssignments() {
        selector.update(List.of(active("a", 0, T0), active("b", 2, T0)));
        clock.advance(Duration.ofMillis(1));
        assertEquals(Map.of("a", 2), chooseTimes(2, null, null));
        selector.update(List.of(active("b", 2, T0)));
        selector.update(List.of(active("a", 0, T0), active("b", 2, T0)));

        assertEquals(Map.of("a", 2), chooseTimes(2, null, null));
    }

    @Test
    void aGateThatStoppedReportingIsNotChosenWhileOthersReport() {
        GateSelector withMaxAge = new GateSelector(Duration.ofSeconds(10), Duration.ofSeconds(5), clock);
        // "dead" was the emptiest when it was killed; its entry lives on until the registry TTL
        withMaxAge.update(List.of(active("dead", 0, T0), active("live", 100, T0)));
        clock.advance(Duration.ofSeconds(6));
        withMaxAge.update(List.of(active("dead", 0, T0), active("live", 100, T0 + 6_000)));

        for (int i = 0; i < 50; i++) {
            assertEquals("live", withMaxAge.choose(null, null).orElseThrow().gateId());
        }
    }

    @Test
    void whenNoGateReportedRecentlyTheStaleOnesAreStillChosen() {
        GateSelector withMaxAge = new GateSelector(Duration.ofSeconds(10), Duration.ofSeconds(5), clock);
        withMaxAge.update(List.of(active("a", 7, T0), active("b", 3, T0)));
        clock.advance(Duration.ofSeconds(30));

        assertEquals("b", withMaxAge.choose(null, null).orElseThrow().gateId());
    }

    @Test
    void aGateWhoseClockRunsBehindIsNotTakenForSilent() {
        GateSelector withMaxAge = new GateSelector(Duration.ofSeconds(10), Duration.ofSeconds(5), clock);
        long behind = T0 - 60_000; // "slow" reports times a minute in the past, but reports every 3 s
        for (int i = 0; i < 4; i++) {
            withMaxAge.update(List.of(active("slow", 0, behind + i * 3_000L), active("busy", 100, T0 + i * 3_000L)));
            clock.advance(Duration.ofSeconds(3));
        }

        assertEquals("slow", withMaxAge.choose(null, null).orElseThrow().gateId());
    }

    @Test
    void capacityWeighsTheLoadSoTheEmptierGateRelativeToItsSizeWins() {
        // big holds more clients but is 40% full; small is 50% full
        selector.update(List.of(sized("big", 400, 1000, ""), sized("small", 50, 100, "")));

        assertEquals("big", choose());
    }

    @Test
    void aStormIsSpreadInProportionToCapacity() {
        selector.update(List.of(sized("big", 0, 3000, ""), sized("small", 0, 1000, "")));
        clock.advance(Duration.ofMillis(1));

        Map<String, Integer> counts = chooseTimes(40, null, null);

        assertEquals(Map.of("big", 30, "small", 10), counts, "a gate sized three times as big takes three times as many");
    }

    @Test
    void gatesEquallyFullRelativeToTheirCapacityTie() {
        selector.update(List.of(sized("a", 10, 100, ""), sized("b", 20, 200, "")));
        clock.advance(Duration.ofMillis(1));

        assertEquals(Set.of("a", "b"), chooseTimes(2, null, null).keySet(), "10% and 10%: round-robin");
    }

    @Test
    void anOldEntryWithoutCapacityCountsAsTheDefaultCapacity() {
        // an old gate's entry is parsed with GateInfo.DEFAULT_CAPACITY (see GateInfoCodecTest); beside a new
        // gate that declares the same capacity it is compared by connections alone
        GateInfo old = active("old", 100, T0);
        assertEquals(GateInfo.DEFAULT_CAPACITY, old.capacity());
        selector.update(List.of(old, sized("new", 150, GateInfo.DEFAULT_CAPACITY, "")));

        assertEquals("old", choose());
        // and a new gate sized for far fewer connections is fuller with fewer clients
        selector.update(List.of(active("old", 100, T0), sized("new", 10, 1000, "")));
        assertEquals("old", choose());
    }

    @Test
    void aZoneIsPreferredEvenWhenItsGatesAreBusier() {
        selector.update(List.of(sized("a1", 900, 1000, "zone-a"), sized("b1", 0, 1000, "zone-b"),
                sized("none", 0, 1000, "")));

        GateInfo chosen = selector.choose(null, null, "zone-a").orElseThrow();

        assertEquals("a1", chosen.gateId());
        assertEquals("zone-a", chosen.zone());
        assertEquals("b1", selector.choose(null, null, "zone-b").orElseThrow().gateId());
    }

    @Test
    void withoutAnEligibleGateInItsZoneAClientFallsBackToTheOthers() {
        selector.update(List.of(gate("a-drain", 0, GateState.DRAINING, Set.of(), "", T0),
                sized("b1", 50, 1000, "zone-b"), sized("b2", 10, 1000, "zone-b")));

        assertEquals("b2", selector.choose(null, null, "zone-a").orElseThrow().gateId(),
                "zone-a's only gate drains: the least loaded elsewhere");
        assertEquals("b2", selector.choose(null, null, "no-such-zone").orElseThrow().gateId());
    }

    @Test
    void theZoneDoesNotOverrideAppIsolation() {
        selector.update(List.of(
                new GateInfo("game-a", "h", 1, 2, 3, 0, GateState.ACTIVE, Set.of("game"), "", T0, "/ws", false, 100,
                        "zone-a"),
                sized("shared-b", 90, 100, "zone-b")));

        assertEquals("shared-b", selector.choose("chat", null, "zone-a").orElseThrow().gateId());
    }

    @Test
    void aZoneGateThatStoppedReportingDoesNotBeatAReportingGateElsewhere() {
        GateSelector withMaxAge = new GateSelector(Duration.ofSeconds(10), Duration.ofSeconds(5), clock);
        withMaxAge.update(List.of(sized("a-dead", 0, 100, "zone-a"), sized("b-live", 50, 100, "zone-b")));
        clock.advance(Duration.ofSeconds(6));
        withMaxAge.update(List.of(sized("a-dead", 0, 100, "zone-a"),
                new GateInfo("b-live", "h", 1, 2, 3, 50, GateState.ACTIVE, Set.of(), "", T0 + 6_000, "/ws", false,
                        100, "zone-b")));

        assertEquals("b-live", withMaxAge.choose(null, null, "zone-a").orElseThrow().gateId());
    }

    @Test
    void theOpsViewCarriesTheRelativeLoad() {
        selector.update(List.of(sized("a", 30, 100, "zone-a")));
        clock.advance(Duration.ofMillis(1));
        choose();

        GateSelector.GateLoad load = selector.loads().get(0);

        assertEquals(0.31, load.relativeLoad(), 1e-9);
    }
}
