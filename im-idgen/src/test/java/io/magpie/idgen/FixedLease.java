package io.magpie.idgen;

/** A test lease whose validity the test switches. */
final class FixedLease implements WorkerIdLease {

    private final int workerId;
    private volatile boolean valid = true;

    FixedLease(int workerId) {
        this.workerId = workerId;
    }

    void lose() {
        valid = false;
    }

    @Override
    public int workerId() {
        return workerId;
    }

    @Override
    public boolean valid() {
        return valid;
    }

    @Override
    public void close() {
        valid = false;
    }
}
