package io.magpie.logic;

import io.magpie.idgen.WorkerIdLease;

/** A worker id held for the whole test JVM (tests that run no second logic instance need no Redis lease). */
final class FixedWorkerIdLease implements WorkerIdLease {

    private final int workerId;

    FixedWorkerIdLease(int workerId) {
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
        // nothing to give back
    }
}
