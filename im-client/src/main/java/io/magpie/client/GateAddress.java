package io.magpie.client;

import java.net.URI;

/**
 * The gate the LSB chose for this client (see the LSB's {@code GET /v1/gate}). Immutable.
 *
 * @param tcp {@code host:port} of the TCP listener
 * @param ws  WebSocket URL, or null when the gate has no WebSocket listener
 */
public record GateAddress(String gateId, String host, int tcpPort, int wsPort, String tcp, URI ws) {
}
