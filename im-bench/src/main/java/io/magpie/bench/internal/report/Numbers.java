package io.magpie.bench.internal.report;

import java.util.Locale;

/** Number formatting shared by the report, the summary line and the progress line. Stateless. */
public final class Numbers {

    private Numbers() {
    }

    /** Milliseconds with 3 significant digits below 100 (0.412, 12.3), whole above. */
    public static String ms(double ms) {
        if (ms == 0) {
            return "0";
        }
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        if (ms >= 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    /** A rate or count without a fraction (fractions of a message per second are noise). */
    public static String whole(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** Bytes as KiB/MiB/GiB with one decimal. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
