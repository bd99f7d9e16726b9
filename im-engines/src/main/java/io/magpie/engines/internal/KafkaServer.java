package io.magpie.engines.internal;

/** A running Kafka cluster. */
public interface KafkaServer extends RunningServer {

    /** {@code bootstrap.servers} value. */
    String bootstrap();

    /** True when {@link #stopInPlace()} and {@link #startInPlace()} are supported (embedded only). */
    default boolean restartable() {
        return false;
    }

    /**
     * Stops the broker but keeps its ports and log directories, so that {@link #startInPlace()} brings
     * the same cluster back with its topics, records and committed offsets (for fault tests).
     * Idempotent.
     *
     * @throws UnsupportedOperationException for a cluster this process does not run
     */
    default void stopInPlace() {
        throw new UnsupportedOperationException(describe() + " is not run by this process; it cannot be stopped");
    }

    /**
     * Starts a broker {@link #stopInPlace() stopped in place} again on the same ports and log
     * directories, returning once it answers requests. Does nothing when it is running.
     *
     * @throws UnsupportedOperationException for a cluster this process does not run
     */
    default void startInPlace() {
        throw new UnsupportedOperationException(describe() + " is not run by this process; it cannot be started");
    }
}
