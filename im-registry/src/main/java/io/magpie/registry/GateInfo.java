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
 */
public record GateInfo(String gateId, String host, int tcpPort, int wsPort, int internalPort, int connections,
                       GateState state, Set<String> appIds, String grayTag, long updatedAtMillis, String wsPath,
                       boolean tls) {

    /** The WebSocket path of a gate that does not publish one (entries of older gates). */
    public static final String DEFAULT_WS_PATH = "/ws";

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
    }
}
