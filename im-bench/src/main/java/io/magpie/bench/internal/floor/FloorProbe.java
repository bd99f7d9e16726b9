package io.magpie.bench.internal.floor;

/**
 * One kind of hop a message takes, timed once per call after an idle gap: what the path of one message
 * costs on a machine before any of Magpie's own work (issue 14 point 2).
 */
public interface FloorProbe extends AutoCloseable {

    /** Short name for the report, e.g. {@code kafka_hop}. */
    String name();

    /** What one sample measures, for the report. */
    String description();

    /** Takes one sample and returns its latency in nanoseconds. */
    long sampleNanos() throws Exception;

    @Override
    void close() throws Exception;
}
