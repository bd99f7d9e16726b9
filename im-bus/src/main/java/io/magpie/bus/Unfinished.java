package io.magpie.bus;

/**
 * The part of a handled batch's work that completes after {@link BatchHandler#handle} returned (logic: the
 * push tasks' acknowledgements from Kafka). A {@link ConsumerLoop} polls and handles the next batch before it
 * waits for this, and commits past the batch only once {@link #await()} returned.
 */
@FunctionalInterface
public interface Unfinished {

    /**
     * Waits until the work is done.
     *
     * @throws Exception when it failed, as {@link BatchHandler#handle} would: the loop rewinds the batch and
     *                   every batch handled after it, and polls them again after a backoff
     */
    void await() throws Exception;
}
