package io.magpie.engines.internal;

/** A running Redis server. */
public interface RedisServer extends RunningServer {

    /** {@code redis://host:port} (with whatever credentials an external URI carries). */
    String uri();
}
