package io.magpie.registry;

import java.util.Objects;
import java.util.Set;

/**
 * What a gate publishes about itself in the registry.
 *
 * @param gateId          unique gate id
 * @param host            address clients (and routers, on {@code internalPort}) connect to
 * @param tcpPort         client TCP port (0 = none)
 * @param wsPort          client WebSocket port (0 = none)
 * @param internalPort    router -> gate push port
 * @param connections     live client connections at {@code updatedAtMillis}
 * @param state           ACTIVE or DRAINING
 * @param appIds          business ids this gate serves (empty = all)
 * @param grayTag         gray group ("" = the normal group)
 * @param updatedAtMillis when the gate published this (ms since the epoch)
 * @param wsPath          the WebSocket upgrade path on {@code wsPort} ({@value #DEFAULT_WS_PATH} unless the
 *                        gate's {@code gate.ws-path} says otherwise)
 * @param tls             the client TCP and WebSocket ports speak TLS ({@code wss://} on {@code wsPort}); false
 *                        in entries of gates older than the field
 * @param capacity        client connections the gate is sized for ({@code gate.capacity}), at least 1; the LSB
 *                        weighs load by it. {@value #DEFAULT_CAPACITY} (the default of {@code gate.max-connections})
 *                        in entries of gates older than the field
 * @param zone            the gate's region/zone ({@code gate.zone}), "" for none (and in entries of older gates)
 */
public record GateInfo(String gateId, String host, int tcpPort, int wsPort, int internalPort, int connections,
                       GateState state, Set<String> appIds, String grayTag, long updatedAtMillis, String wsPath,
                       boolean tls, int capacity, String zone) {

    /** The WebSocket path of a gate that does not publish one (entries of older gates). */
    public static final String DEFAULT_WS_PATH = "/ws";
    /**
     * The capacity of a gate that does not publish one (entries of older gates): the default of
     * {@code gate.max-connections}, which is what such a gate was sized for unless its operator changed it.
     */
    public static final int DEFAULT_CAPACITY = 200_000;

    /** A gate of the default capacity and no zone. */
    public GateInfo(String gateId, String host, int tcpPort, int wsPort, int internalPort, int connections,
                    GateState state, Set<String> appIds, String grayTag, long updatedAtMillis, String wsPath,
                    boolean tls) {
        this(gateId, host, tcpPort, wsPort, internalPort, connections, state, appIds, grayTag, updatedAtMillis,
                wsPath, tls, DEFAULT_CAPACITY, "");
    }

    /** A gate on the default WebSocket path. */
    public GateInfo(String gateId, String host, int tcpPort, int wsPort, int internalPort, int connections,
                    GateState state, Set<String> appIds, String grayTag, long updatedAtMillis) {
        this(gateId, host, tcpPort, wsPort, internalPort, connections, state, appIds, grayTag, updatedAtMillis,
                DEFAULT_WS_PATH, false);
    }

    /** A gate whose client ports are plaintext. */
    public GateInfo(String gateId, String host, int tcpPort, int wsPort, int internalPort, int connections,
                    GateState state, Set<String> appIds, String grayTag, long updatedAtMillis, String wsPath) {
        this(gateId, host, tcpPort, wsPort, internalPort, connections, state, appIds, grayTag, updatedAtMillis,
                wsPath, false);
    }

    public GateInfo {
        Objects.requireNonNull(gateId, "gateId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(state, "state");
        if (gateId.isBlank()) {
            throw new IllegalArgumentException("gateId must not be blank");
        }
        appIds = appIds == null ? Set.of() : Set.copyOf(appIds);
        for (String appId : appIds) {
            if (appId.isBlank() || appId.indexOf(',') >= 0) {
                throw new IllegalArgumentException("gate " + gateId + ": app id must be non-blank without ',', got '"
                        + appId + "'");
            }
        }
        grayTag = grayTag == null ? "" : grayTag;
        wsPath = wsPath == null || wsPath.isBlank() ? DEFAULT_WS_PATH : wsPath;
        if (!wsPath.startsWith("/")) {
            throw new IllegalArgumentException("gate " + gateId + ": wsPath must start with '/', got '" + wsPath + "'");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("gate " + gateId + ": capacity must be at least 1, got " + capacity);
        }
        zone = zone == null ? "" : zone.strip();
    }

    /**
     * How full the gate is relative to what it is sized for: {@code (connections + extra) / capacity}, where
     * {@code extra} is what the caller knows on top of the report (the LSB's own recent assignments).
     */
    public double relativeLoad(long extra) {
        return (connections + extra) / (double) capacity;
    }
}
