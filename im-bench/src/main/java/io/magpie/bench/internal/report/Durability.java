package io.magpie.bench.internal.report;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The MySQL durability a run measured against, as the server's {@code /metrics} told it
 * ({@code magpie_mysql_innodb_flush_log_at_trx_commit}, {@code magpie_mysql_sync_binlog}), or unknown with the
 * reason. Every report and summary line states it: a latency means little without what a commit survives.
 *
 * @param flushLogAtTrxCommit {@code innodb_flush_log_at_trx_commit}, empty when unknown
 * @param syncBinlog          {@code sync_binlog}, empty when unknown
 * @param source              where it was read (the metrics URL), or why it is unknown
 */
public record Durability(OptionalInt flushLogAtTrxCommit, OptionalInt syncBinlog, String source) {

    /** Not asked (reports built without a server, e.g. in tests). */
    public static final Durability UNKNOWN = new Durability(OptionalInt.empty(), OptionalInt.empty(), "not asked");

    public Durability {
        Objects.requireNonNull(flushLogAtTrxCommit, "flushLogAtTrxCommit");
        Objects.requireNonNull(syncBinlog, "syncBinlog");
        Objects.requireNonNull(source, "source");
    }

    /** Unknown, because of {@code reason}. */
    public static Durability unknown(String reason) {
        return new Durability(OptionalInt.empty(), OptionalInt.empty(), reason);
    }

    /** The summary line's value: {@code flush_log_at_trx_commit=N}, or {@code unknown}. */
    public String summary() {
        return flushLogAtTrxCommit.isPresent() ? "flush_log_at_trx_commit=" + flushLogAtTrxCommit.getAsInt() : "unknown";
    }

    /** The report's row: both values and where they came from. */
    public String describe() {
        if (flushLogAtTrxCommit.isEmpty()) {
            return "unknown (" + source + ")";
        }
        return "innodb_flush_log_at_trx_commit=" + flushLogAtTrxCommit.getAsInt()
                + (syncBinlog.isPresent() ? ", sync_binlog=" + syncBinlog.getAsInt() : "") + " (from " + source + ")";
    }
}
