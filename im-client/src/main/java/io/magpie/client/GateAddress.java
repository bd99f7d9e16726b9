package io.magpie.client;

import java.net.URI;

/**
 * The gate the LSB chose for this client (see the LSB's {@code GET /v1/gate}). Immutable.
 *
 * @param tcp {@code host:port} of the TCP listener
 * @param ws  WebSocket URL ({@code ws://}, or {@code wss://} on a TLS gate), or null when the gate has no
 *            WebSocket listener
 * @param tls  the gate's client ports speak TLS: the TCP listener too, not only {@code wss://}
 * @param zone the gate's zone, null when it declares none (or the LSB is older than zones); differs from
 *             {@link ClientConfig#zone()} when the LSB had no eligible gate in that zone
 */
public record GateAddress(String gateId, String host, int tcpPort, int wsPort, String tcp, URI ws, boolean tls,
                          String zone) {

    /** A gate without a zone. */
    public GateAddress(String gateId, String host, int tcpPort, int wsPort, String tcp, URI ws, boolean tls) {
        this(gateId, host, tcpPort, wsPort, tcp, ws, tls, null);
    }

    /** A gate whose TLS is told by its ws URL alone ({@code wss://}). */
    public GateAddress(String gateId, String host, int tcpPort, int wsPort, String tcp, URI ws) {
        this(gateId, host, tcpPort, wsPort, tcp, ws, ws != null && "wss".equals(ws.getScheme()));
    }
}
