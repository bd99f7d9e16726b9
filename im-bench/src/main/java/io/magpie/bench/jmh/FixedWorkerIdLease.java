package io.magpie.bench.jmh;

import io.magpie.idgen.WorkerIdLease;

/**
 * A benchmark fixture: a worker id that is always held, so snowflake generation is measured without
 * Redis. Never use it where two processes could share the id. Immutable and thread-safe.
 */
public final class FixedWorkerIdLease implements WorkerIdLease {

    private final int workerId;

    public FixedWorkerIdLease(int workerId) {
        if (workerId < 0 || workerId > 1023) {
            throw new IllegalArgumentException("workerId must be 0..1023, got " + workerId);
        }
        this.workerId = workerId;
    }

    @Override
    public int workerId() {
        return workerId;
    }

    @Override
    public boolean valid() {
        return true;
    }

    @Override
    public void close() {
        // nothing is held anywhere but here
    }
}
