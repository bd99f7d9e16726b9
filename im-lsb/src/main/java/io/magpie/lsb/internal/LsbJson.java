package io.magpie.lsb.internal;

import io.magpie.registry.GateInfo;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The JSON bodies of the LSB's HTTP API (see openapi/lsb.yaml), as records Jackson writes. */
public final class LsbJson {

    private LsbJson() {
    }

    /**
     * {@code GET /v1/gate}: where to connect. {@code ws} is null when the gate has no WebSocket port;
     * {@code tls} says both client ports speak TLS ({@code ws} is then a {@code wss://} URL); {@code zone} is the
     * chosen gate's zone (null when it declares none), so a client that asked for a zone sees whether it got it.
     */
    public record GateAddress(String gateId, String host, int tcpPort, int wsPort, String tcp, String ws,
                              boolean tls, String zone) {

        public static GateAddress of(GateInfo gate) {
            String authorityHost = gate.host().indexOf(':') >= 0 && !gate.host().startsWith("[")
                    ? "[" + gate.host() + "]" : gate.host();
            String scheme = gate.tls() ? "wss://" : "ws://";
            String ws = gate.wsPort() > 0 ? scheme + authorityHost + ":" + gate.wsPort() + gate.wsPath() : null;
            return new GateAddress(gate.gateId(), gate.host(), gate.tcpPort(), gate.wsPort(),
                    authorityHost + ":" + gate.tcpPort(), ws, gate.tls(), nullIfBlank(gate.zone()));
        }
    }

    /**
     * One gate in the public view: what {@code GET /v1/gate} would hand any client anyway, plus its load:
     * {@code relativeLoad} = (connections + recentAssignments) / capacity, what the LSB compares (rounded to
     * 4 decimals here). Never the internal port (that is on the admin view only).
     */
    public record GateView(String gateId, String host, int tcpPort, int wsPort, String state,
                           int connections, int recentAssignments, int capacity, double relativeLoad,
                           String zone, Set<String> appIds, String gray, long updatedAt, long reportAgeMillis) {

        public static GateView of(GateSelector.GateLoad load, long nowMillis) {
            GateInfo g = load.gate();
            Set<String> apps = g.appIds() == null ? Set.of() : new TreeSet<>(g.appIds());
            return new GateView(g.gateId(), g.host(), g.tcpPort(), g.wsPort(), g.state().name(),
                    g.connections(), load.recentAssignments(), g.capacity(), round4(load.relativeLoad()),
                    nullIfBlank(g.zone()), apps, nullIfBlank(g.grayTag()), g.updatedAtMillis(),
                    Math.max(0, nowMillis - g.updatedAtMillis()));
        }
    }

    /** One gate in the admin view ({@code GET /admin/v1/gates}): the public view plus the internal port. */
    public record AdminGateView(String gateId, String host, int tcpPort, int wsPort, int internalPort, String state,
                                int connections, int recentAssignments, int capacity, double relativeLoad,
                                String zone, Set<String> appIds, String gray, long updatedAt, long reportAgeMillis) {

        public static AdminGateView of(GateSelector.GateLoad load, long nowMillis) {
            GateView v = GateView.of(load, nowMillis);
            return new AdminGateView(v.gateId(), v.host(), v.tcpPort(), v.wsPort(), load.gate().internalPort(),
                    v.state(), v.connections(), v.recentAssignments(), v.capacity(), v.relativeLoad(), v.zone(),
                    v.appIds(), v.gray(), v.updatedAt(), v.reportAgeMillis());
        }
    }

    private static String nullIfBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static double round4(double value) {
        return Math.round(value * 10_000d) / 10_000d;
    }

    /** {@code GET /v1/gates}. {@code registryReadAgeMillis} is -1 before the first successful read. */
    public record GateList(long registryReadAgeMillis, List<GateView> gates) {
    }

    /** {@code GET /admin/v1/gates}. */
    public record AdminGateList(long registryReadAgeMillis, List<AdminGateView> gates) {
    }

    /** Health endpoints' success body. */
    public record Health(String status, long registryReadAgeMillis) {
    }

    /** Every error: a stable machine code and a sentence for humans. Never a stack trace. */
    public record ApiError(String code, String message) {
    }
}
