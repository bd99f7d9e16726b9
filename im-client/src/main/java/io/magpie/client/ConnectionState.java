package io.magpie.client;

/**
 * Where a {@link MagpieClient} is in its connection life, as reported to
 * {@link MessageListener#onConnectionStateChanged(ConnectionState)}.
 *
 * <pre>
 * IDLE --connect()--> CONNECTING --LOGIN_ACK--> CONNECTED --drop / RECONNECT--> RECONNECTING --LOGIN_ACK--> CONNECTED
 *                          \--failure--> DISCONNECTED          \--KICK (no reconnect)--> KICKED
 * CONNECTED --RECONNECT from the gate--> (stays CONNECTED on the old connection while the new one logs in)
 * any --disconnect()/logout()--> DISCONNECTED;  any --close()--> CLOSED (terminal)
 * </pre>
 */
public enum ConnectionState {
    /** Never connected. */
    IDLE,
    /** {@code connect()} is asking the LSB, opening the connection or waiting for LOGIN_ACK. */
    CONNECTING,
    /** Logged in: sends are accepted and pushes arrive. */
    CONNECTED,
    /**
     * The connection dropped (or the gate closed it after an ERROR such as SLOW_CONSUMER); a reconnect through
     * the LSB is scheduled or running, and the login after it SYNCs and PULLs what was missed.
     */
    RECONNECTING,
    /**
     * Not connected and not trying: {@code disconnect()} or {@code logout()} was called, the first connect failed,
     * or reconnecting gave up.
     */
    DISCONNECTED,
    /** The server kicked this session (e.g. the device logged in elsewhere); no automatic reconnect. */
    KICKED,
    /** {@code close()} was called; the client cannot be used any more. */
    CLOSED
}
