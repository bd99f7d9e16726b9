package io.magpie.bench.internal.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which classes grew between two class histograms of a JVM (e.g. before and with N connections open),
 * per unit of N: the breakdown behind "heap per connection". Pure.
 */
public final class HeapDiff {

    /** One class's growth. */
    public record Growth(String className, long instances, long bytes) {
    }

    private HeapDiff() {
    }

    /** Classes whose bytes grew, largest growth first, at most {@code limit}. */
    public static List<Growth> top(Map<String, long[]> before, Map<String, long[]> after, int limit) {
        List<Growth> growth = new ArrayList<>(changes(before, after).stream().filter(g -> g.bytes() > 0).toList());
        growth.sort((x, y) -> Long.compare(y.bytes(), x.bytes()));
        return growth.subList(0, Math.min(limit, growth.size()));
    }

    /**
     * Bytes every class together grew by (shrinking ones count against it): the whole live heap's change as the
     * histogram sees it, less noisy than the heap's used figure because nothing unreachable is counted.
     */
    public static long net(Map<String, long[]> before, Map<String, long[]> after) {
        return sum(before, after, Long.MIN_VALUE);
    }

    /**
     * Bytes grown by the classes with at least {@code minInstancesPerUnit} more instances per unit: the objects each
     * connection holds itself, without tables shared by all of them that grow in steps.
     */
    public static long perUnitClasses(Map<String, long[]> before, Map<String, long[]> after, long units,
            double minInstancesPerUnit) {
        return sum(before, after, units <= 0 ? Long.MAX_VALUE : (long) Math.ceil(minInstancesPerUnit * units));
    }

    private static long sum(Map<String, long[]> before, Map<String, long[]> after, long minInstances) {
        return changes(before, after).stream().filter(g -> g.instances() >= minInstances).mapToLong(Growth::bytes)
                .sum();
    }

    /** Every class's change in instances and bytes (either may be negative). */
    private static List<Growth> changes(Map<String, long[]> before, Map<String, long[]> after) {
        Set<String> names = new HashSet<>(after.keySet());
        names.addAll(before.keySet());
        List<Growth> changes = new ArrayList<>(names.size());
        for (String name : names) {
            long[] a = after.getOrDefault(name, new long[2]);
            long[] b = before.getOrDefault(name, new long[2]);
            changes.add(new Growth(name, a[0] - b[0], a[1] - b[1]));
        }
        return changes;
    }

    /** A Markdown table of {@link #top} per unit ({@code per} = connections). */
    public static String table(List<Growth> growth, long per, String unit) {
        StringBuilder md = new StringBuilder("| class | instances per " + unit + " | bytes per " + unit + " |\n|---|---|---|\n");
        for (Growth g : growth) {
            md.append("| `").append(g.className()).append("` | ")
                    .append(String.format(Locale.ROOT, "%.2f", (double) g.instances() / per)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", (double) g.bytes() / per)).append(" |\n");
        }
        return md.toString();
    }
}
