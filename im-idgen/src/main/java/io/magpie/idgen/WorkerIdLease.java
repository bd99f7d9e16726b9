package io.magpie.idgen;

/**
 * Exclusive use of one snowflake worker id (0..1023) for as long as the lease is valid. Two
 * processes holding valid leases never hold the same id, so their ids never collide.
 *
 * <p>Implementations are thread-safe. The process that acquired a lease owns it and closes it at
 * shutdown, which frees the id at once; a crashed process's id frees itself when the lease expires.
 */
public interface WorkerIdLease extends AutoCloseable {

    /** The leased worker id, 0..1023. */
    int workerId();

    /**
     * Whether the lease is held right now; ids may be issued only while it is. A lease that was
     * lost (taken over, found gone) or closed stays invalid; an implementation may report a lease
     * it could not confirm in time as invalid until it confirms it again.
     */
    boolean valid();

    /** Gives the worker id back. Idempotent; never throws. */
    @Override
    void close();
}
