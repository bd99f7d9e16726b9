package io.magpie.bench.internal.report;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Failed requests counted by what failed them: the server's error code name ({@code RATE_LIMITED},
 * {@code SERVER_BUSY}...) or, for failures the client saw itself, a name of the bench's choosing
 * ({@code CONNECTION_LOST}). Immutable; iteration order is by count, highest first, then by name.
 *
 * @param counts error name to how many requests failed with it (every count is 1 or more)
 */
public record ErrorBreakdown(Map<String, Long> counts) {

    public static final ErrorBreakdown EMPTY = new ErrorBreakdown(Map.of());

    public ErrorBreakdown {
        Map<String, Long> sorted = new LinkedHashMap<>();
        Objects.requireNonNull(counts, "counts").entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEachOrdered(e -> sorted.put(e.getKey(), e.getValue()));
        counts = java.util.Collections.unmodifiableMap(sorted);
    }

    public static ErrorBreakdown of(Map<String, Long> counts) {
        return new ErrorBreakdown(counts);
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** The sum of both, name by name (a sweep's steps added up). */
    public ErrorBreakdown plus(ErrorBreakdown other) {
        Map<String, Long> sum = new TreeMap<>(counts);
        other.counts.forEach((k, v) -> sum.merge(k, v, Long::sum));
        return new ErrorBreakdown(sum);
    }

    /** For people: {@code RATE_LIMITED 139, SERVER_BUSY 2}; empty when there were none. */
    public String readable() {
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** {@code 139 (RATE_LIMITED 139)}, or just {@code 0} when {@code total} is 0 or nothing is broken down. */
    public String withTotal(long total) {
        return isEmpty() ? Long.toString(total) : total + " (" + readable() + ")";
    }

    /** For the summary line, without spaces: {@code RATE_LIMITED:139;SERVER_BUSY:2}, or {@code -} when empty. */
    public String compact() {
        return isEmpty() ? "-" : counts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(";"));
    }
}
