package io.magpie.idgen;

/**
 * The clock went back further than the generator may wait out. Retryable: once the clock has
 * passed the last issued timestamp again, ids flow.
 */
public final class ClockMovedBackwardsException extends IdGenerationException {

    private static final long serialVersionUID = 1L;

    private final long driftMillis;
    private final long limitMillis;

    public ClockMovedBackwardsException(long driftMillis, long limitMillis) {
        super("clock moved backwards by " + driftMillis + " ms, more than maxRollback " + limitMillis
                + " ms; refusing ids until the clock passes the last issued timestamp again", true);
        this.driftMillis = driftMillis;
        this.limitMillis = limitMillis;
    }

    /** How far the clock was behind the last issued timestamp. */
    public long driftMillis() {
        return driftMillis;
    }

    /** The rollback the generator waits out. */
    public long limitMillis() {
        return limitMillis;
    }
}
