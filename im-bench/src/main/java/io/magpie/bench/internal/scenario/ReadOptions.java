package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.ReadTracker;
import picocli.CommandLine.Option;

/**
 * Whether the recipients of a message scenario also mark their conversation read as messages arrive
 * (READ -> READ_ACK, docs/PROTOCOL.md §9.9), as a chat app does while the conversation is open. Off by
 * default, so a plain run measures sends only.
 */
public final class ReadOptions {

    @Option(names = "--read",
            description = "each recipient marks the conversation read up to every delivered message (READ, then"
                    + " READ_ACK), as a chat app with the conversation open does; same as --read-every 1")
    boolean read;

    @Option(names = "--read-every", paramLabel = "N",
            description = "each recipient marks the conversation read on delivery of the messages whose seq is a"
                    + " multiple of N (1 = every message; default: no READs)")
    Integer readEvery;

    public void validate() {
        if (readEvery != null && (readEvery < 1 || readEvery > 1_000_000)) {
            throw new IllegalArgumentException("--read-every must be 1..1000000, got " + readEvery);
        }
        if (read && readEvery != null && readEvery != 1) {
            throw new IllegalArgumentException("--read means --read-every 1, but --read-every " + readEvery
                    + " was given too; pass one of them");
        }
    }

    /** Read at seqs that are a multiple of this; 0 = no READs. */
    public int every() {
        return readEvery != null ? readEvery : read ? 1 : 0;
    }

    /** For the start line: {@code ", recipients READ every message"}, or empty when off. */
    public String describe() {
        int every = every();
        return every == 0 ? "" : every == 1 ? ", recipients READ every message"
                : ", recipients READ at seqs that are multiples of " + every;
    }

    /** The report parameter: {@code off} or N. */
    public String param() {
        return every() == 0 ? "off" : Integer.toString(every());
    }

    /** A fresh tracker for one measured run (or sweep step). */
    public ReadTracker tracker() {
        return new ReadTracker(every());
    }
}
