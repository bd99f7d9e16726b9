package io.magpie.idgen;

/**
 * The worker id lease is no longer held (it expired, or another process took the id), so ids
 * from this worker id could collide. Not retryable: acquire a new lease and build a new generator.
 */
public final class WorkerIdLostException extends IdGenerationException {

    private static final long serialVersionUID = 1L;

    public WorkerIdLostException(int workerId) {
        super("worker id " + workerId + " lease is no longer valid; refusing to issue ids (acquire a new lease)",
                false);
    }
}
