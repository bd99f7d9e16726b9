package io.magpie.lsb.internal;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the gate a client should connect to, from the last view of the gate registry.
 *
 * <p>Eligible gates: state {@link GateState#ACTIVE} (a DRAINING gate is never chosen); serving the
 * request's app (a gate with no app ids serves every app; a request without an app id only gets such
 * gates); matching the gray group (a request with a gray tag gets the gates with that tag when there
 * are any and otherwise the untagged gates; a request without a tag only gets untagged gates).
 * Among those, gates whose last report is at most {@code reportMaxAge} old are preferred: a gate that
 * stopped reporting (killed, hung) keeps its registry entry until the entry expires, and sending a
 * reconnect storm to it for that long only makes clients fail and back off. When no eligible gate
 * reported recently (the registry itself is stale, or this LSB cannot read it) every eligible gate is
 * a candidate, rather than none. A report's age is measured on this selector's clock from when it first
 * saw that report (the gate's {@code updatedAtMillis} changed), so a gate whose clock is off is not
 * taken for silent.
 *
 * <p>A request with a zone prefers the candidates in that zone ({@code gate.zone}) and falls back to all
 * candidates when none of them is there, so a zone outage sends clients elsewhere instead of nowhere. The
 * zone preference comes after the freshness one: a silent gate in the client's zone does not beat a
 * reporting gate in another.
 *
 * <p>Among them the least relatively loaded wins: load = the connections the gate last reported + the
 * clients this selector sent to it after that report ({@code updatedAtMillis}) and within the
 * assignment window, divided by the gate's declared capacity ({@code gate.capacity}), so a gate sized
 * for twice the connections takes twice the clients. Loads are compared exactly (cross-multiplied), so
 * equal gates tie. Counting its own assignments is what spreads a reconnect storm: without it every
 * request between two reports would go to the same gate. Assignments older than the window are
 * forgotten (the client either connected and shows in a report, or never came). The gate's
 * {@code updatedAtMillis} is the gate's clock, so a gate whose clock runs ahead has its assignments
 * under-counted by that skew. Ties go round-robin in gate id order.
 *
 * <p>Pure (no I/O) and thread-safe: every method is synchronized; choosing is O(gates).
 */
public final class GateSelector {

    private final long windowMillis;
    private final long reportMaxAgeMillis;
    private final Clock clock;
    private List<GateInfo> gates = List.of();
    /** Per gate id, the report last seen and when, on this selector's clock. */
    private final Map<String, SeenReport> reportSeen = new HashMap<>();
    /** Per gate id, the times (ms, ascending) this selector handed the gate out and still counts. */
    private final Map<String, ArrayDeque<Long>> assignments = new HashMap<>();
    private int roundRobin;

    public GateSelector(Duration assignmentWindow, Duration reportMaxAge, Clock clock) {
        if (assignmentWindow.isNegative() || assignmentWindow.isZero()) {
            throw new IllegalArgumentException("assignment window must be positive, got " + assignmentWindow);
        }
        if (reportMaxAge.isNegative() || reportMaxAge.isZero()) {
            throw new IllegalArgumentException("gate report max age must be positive, got " + reportMaxAge);
        }
        this.windowMillis = assignmentWindow.toMillis();
        this.reportMaxAgeMillis = reportMaxAge.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Replaces the registry view; assignments of gates no longer present are dropped. */
    public synchronized void update(List<GateInfo> latest) {
        List<GateInfo> sorted = new ArrayList<>(latest);
        sorted.sort(Comparator.comparing(GateInfo::gateId));
        gates = List.copyOf(sorted);
        List<String> ids = sorted.stream().map(GateInfo::gateId).toList();
        assignments.keySet().retainAll(ids);
        reportSeen.keySet().retainAll(ids);
        long now = clock.millis();
        for (GateInfo gate : sorted) {
            SeenReport seen = reportSeen.get(gate.gateId());
            if (seen == null || seen.updatedAtMillis() != gate.updatedAtMillis()) {
                reportSeen.put(gate.gateId(), new SeenReport(gate.updatedAtMillis(), now));
            }
        }
    }

    /** {@link #choose(String, String, String)} without a zone preference. */
    public synchronized Optional<GateInfo> choose(String appId, String grayTag) {
        return choose(appId, grayTag, null);
    }

    /**
     * Picks the least relatively loaded eligible gate, preferring {@code zone}, and counts the assignment
     * against it.
     *
     * @param appId    the client's app, null or blank for none
     * @param grayTag  the client's gray group, null or blank for none
     * @param zone     the zone the client prefers, null or blank for none
     * @return the gate (its {@link GateInfo#zone()} says which zone was chosen), or empty when no eligible
     *         gate is registered
     */
    public synchronized Optional<GateInfo> choose(String appId, String grayTag, String zone) {
        long now = clock.millis();
        List<GateInfo> candidates = inZoneIfAny(reportingRecently(eligible(appId, grayTag), now), zone);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        GateInfo least = null;
        long leastLoad = 0;
        List<GateInfo> tied = new ArrayList<>();
        for (GateInfo gate : candidates) {
            long load = (long) gate.connections() + recentAssignments(gate, now);
            int order = least == null ? -1 : compareRelative(load, gate.capacity(), leastLoad, least.capacity());
            if (order < 0) {
                least = gate;
                leastLoad = load;
                tied.clear();
            }
            if (order <= 0) {
                tied.add(gate);
            }
        }
        GateInfo chosen = tied.get(Math.floorMod(roundRobin++, tied.size()));
        assignments.computeIfAbsent(chosen.gateId(), id -> new ArrayDeque<>()).addLast(now);
        return Optional.of(chosen);
    }

    /**
     * Compares load {@code a / capA} with {@code b / capB} without rounding, so equal gates tie exactly: a load
     * (an int of connections plus an int of assignments) is below 2^32 and a capacity below 2^31, so the
     * products stay below 2^63.
     */
    private static int compareRelative(long a, int capA, long b, int capB) {
        return Long.compare(a * capB, b * capA);
    }

    /** Every gate of the current view with its counted assignments, in gate id order (ops view). */
    public synchronized List<GateLoad> loads() {
        long now = clock.millis();
        List<GateLoad> out = new ArrayList<>(gates.size());
        for (GateInfo gate : gates) {
            out.add(new GateLoad(gate, recentAssignments(gate, now)));
        }
        return out;
    }

    private List<GateInfo> eligible(String appId, String grayTag) {
        List<GateInfo> servingApp = new ArrayList<>();
        for (GateInfo gate : gates) {
            if (gate.state() == GateState.ACTIVE && servesApp(gate, appId)) {
                servingApp.add(gate);
            }
        }
        if (!blank(grayTag)) {
            List<GateInfo> gray = servingApp.stream().filter(g -> grayTag.equals(g.grayTag())).toList();
            if (!gray.isEmpty()) {
                return gray;
            }
        }
        return servingApp.stream().filter(g -> blank(g.grayTag())).toList();
    }

    /** The candidates in {@code zone} when there are any (and a zone was asked for), else all of them. */
    private static List<GateInfo> inZoneIfAny(List<GateInfo> candidates, String zone) {
        if (blank(zone)) {
            return candidates;
        }
        String wanted = zone.strip();
        List<GateInfo> inZone = candidates.stream().filter(g -> wanted.equals(g.zone())).toList();
        return inZone.isEmpty() ? candidates : inZone;
    }

    private List<GateInfo> reportingRecently(List<GateInfo> eligible, long now) {
        List<GateInfo> fresh = new ArrayList<>(eligible.size());
        for (GateInfo gate : eligible) {
            SeenReport seen = reportSeen.get(gate.gateId());
            if (seen != null && now - seen.seenAtMillis() <= reportMaxAgeMillis) {
                fresh.add(gate);
            }
        }
        return fresh.isEmpty() ? eligible : fresh;
    }

    private static boolean servesApp(GateInfo gate, String appId) {
        if (gate.appIds() == null || gate.appIds().isEmpty()) {
            return true;
        }
        return !blank(appId) && gate.appIds().contains(appId);
    }

    /**
     * Assignments at or after the gate's last report and inside the window; older ones are pruned.
     * One made in the very millisecond of the report may be counted twice: erring towards a busier
     * estimate is the safe side.
     */
    private int recentAssignments(GateInfo gate, long now) {
        ArrayDeque<Long> times = assignments.get(gate.gateId());
        if (times == null) {
            return 0;
        }
        long windowStart = now - windowMillis;
        while (!times.isEmpty() && expired(times.peekFirst(), gate, windowStart)) {
            times.pollFirst();
        }
        // Times were appended in clock order, but a clock stepped backwards can leave a larger one in
        // front of smaller ones; counting (rather than trusting order) keeps the result right anyway.
        int count = 0;
        for (long t : times) {
            if (!expired(t, gate, windowStart)) {
                count++;
            }
        }
        return count;
    }

    private static boolean expired(long assignedAt, GateInfo gate, long windowStart) {
        return assignedAt < gate.updatedAtMillis() || assignedAt <= windowStart;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A gate's report ({@code updatedAtMillis}, the gate's clock) and when this selector first saw it (its own). */
    private record SeenReport(long updatedAtMillis, long seenAtMillis) {
    }

    /** One gate of the view and how many clients this LSB sent to it since its last report. */
    public record GateLoad(GateInfo gate, int recentAssignments) {

        /** (reported connections + recent assignments) / capacity: what the selector compares. */
        public double relativeLoad() {
            return gate.relativeLoad(recentAssignments);
        }
    }
}
