package io.magpie.engines.internal;

/** A server the infrastructure uses: embedded (started and stopped here) or external. */
public interface RunningServer extends AutoCloseable {

    /** One fragment for {@code Infrastructure.describe()}: kind, version, address, origin. */
    String describe();

    /** Stops an embedded server (idempotent); does nothing for an external one. */
    @Override
    void close();
}
