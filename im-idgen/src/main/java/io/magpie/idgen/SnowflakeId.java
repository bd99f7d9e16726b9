package io.magpie.idgen;

/**
 * The parts of a snowflake id: 1 sign bit (0), 41 bits of milliseconds since the epoch, 10 bits of
 * worker id, 12 bits of sequence within the millisecond.
 *
 * @param timestampMillis ms since the Unix epoch
 * @param workerId        0..1023
 * @param sequence        0..4095
 */
public record SnowflakeId(long timestampMillis, int workerId, int sequence) {

    public static final int WORKER_ID_BITS = 10;
    public static final int SEQUENCE_BITS = 12;
    public static final int TIMESTAMP_BITS = 41;
    public static final int MAX_WORKER_ID = (1 << WORKER_ID_BITS) - 1;
    public static final int MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
    public static final long MAX_TIMESTAMP_OFFSET = (1L << TIMESTAMP_BITS) - 1;

    /** Splits {@code id} made with {@code config}'s epoch. */
    public static SnowflakeId parse(long id, SnowflakeConfig config) {
        long offset = id >>> (WORKER_ID_BITS + SEQUENCE_BITS);
        int workerId = (int) ((id >>> SEQUENCE_BITS) & MAX_WORKER_ID);
        int sequence = (int) (id & MAX_SEQUENCE);
        return new SnowflakeId(config.epoch().toEpochMilli() + offset, workerId, sequence);
    }

    /** Joins the parts; {@code offsetMillis} is ms since the generator's epoch. */
    static long compose(long offsetMillis, int workerId, int sequence) {
        return (offsetMillis << (WORKER_ID_BITS + SEQUENCE_BITS)) | ((long) workerId << SEQUENCE_BITS) | sequence;
    }
}
