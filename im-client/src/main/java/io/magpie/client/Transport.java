package io.magpie.client;

/** How a {@link MagpieClient} talks to its gate: the same frames over plain TCP or inside WebSocket binary messages. */
public enum Transport {
    TCP,
    WEBSOCKET
}
