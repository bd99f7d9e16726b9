package io.magpie.bench.internal.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a local process costs: CPU ticks and RSS from {@code /proc} (Linux), heap use and GC time
 * of a JVM through {@code jcmd} / {@code jstat} of this JDK. Every reader returns empty when the value is
 * not available (another OS, no such process, tool missing) rather than guessing. The parsers are pure
 * and public for tests. Stateless and thread-safe.
 */
public final class ProcessProbe {

    /** Linux USER_HZ; every mainstream kernel reports /proc times in 1/100 s. */
    public static final int TICKS_PER_SECOND = 100;
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");
    /** jcmd / jstat normally answer in a second; a JVM that does not within this is reported as n/a. */
    private static final long TOOL_TIMEOUT_SECONDS = 60;

    private ProcessProbe() {
    }

    /** utime + stime of {@code pid} in ticks. */
    public static OptionalLong cpuTicks(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat")).map(ProcessProbe::parseStatTicks)
                .orElse(OptionalLong.empty());
    }

    /** Resident set size of {@code pid} in bytes. */
    public static OptionalLong rssBytes(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "status")).map(ProcessProbe::parseRssBytes)
                .orElse(OptionalLong.empty());
    }

    /** The short command name ({@code /proc/<pid>/comm}), or "pid N". */
    public static String name(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "comm")).map(String::strip).orElse("pid " + pid);
    }

    /** {total, idle} jiffies of all CPUs from {@code /proc/stat}, empty elsewhere. */
    public static Optional<long[]> machineTicks() {
        return read(Path.of("/proc/stat")).map(ProcessProbe::parseMachineTicks);
    }

    /** Runs a full GC in the JVM {@code pid} ({@code jcmd pid GC.run}) and then reads its used heap. */
    public static OptionalLong heapUsedAfterGc(long pid) {
        Optional<String> gc = tool("jcmd", Long.toString(pid), "GC.run");
        if (gc.isEmpty()) {
            return OptionalLong.empty();
        }
        return tool("jcmd", Long.toString(pid), "GC.heap_info").map(ProcessProbe::parseHeapUsedBytes)
                .orElse(OptionalLong.empty());
    }

    /** Live objects per class of the JVM {@code pid} after a full GC ({@code jcmd pid GC.class_histogram}). */
    public static java.util.Map<String, long[]> classHistogram(long pid) {
        return tool("jcmd", Long.toString(pid), "GC.class_histogram").map(ProcessProbe::parseClassHistogram)
                .orElse(java.util.Map.of());
    }

    /** Total GC time (young + old + concurrent) of the JVM {@code pid} so far, from {@code jstat -gc}. */
    public static OptionalDouble gcSeconds(long pid) {
        return tool("jstat", "-gc", Long.toString(pid)).map(ProcessProbe::parseJstatGcSeconds)
                .orElse(OptionalDouble.empty());
    }

    /** PIDs of every descendant (MariaDB and redis-server started by a standalone server). */
    public static List<Long> descendants(long pid) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    // ---- parsers (pure) ----

    /** Fields 14 and 15 (utime, stime) of a {@code /proc/<pid>/stat} line; the name in parentheses may hold spaces. */
    public static OptionalLong parseStatTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] f = stat.substring(close + 2).trim().split("\\s+");
        // after "pid (comm) ": state is field 3, so utime (14) is index 11 and stime (15) index 12
        if (f.length < 13) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static OptionalLong parseRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    public static long[] parseMachineTicks(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.substring(4).trim().split("\\s+");
                long total = 0;
                for (String v : f) {
                    total += Long.parseLong(v);
                }
                long idle = Long.parseLong(f[3]) + (f.length > 4 ? Long.parseLong(f[4]) : 0); // idle + iowait
                return new long[] {total, idle};
            }
        }
        throw new IllegalArgumentException("no 'cpu ' line in /proc/stat");
    }

    /** Used bytes from {@code jcmd GC.heap_info} ("garbage-first heap   total 262144K, used 12345K ..."). */
    public static OptionalLong parseHeapUsedBytes(String heapInfo) {
        Matcher m = HEAP_USED.matcher(heapInfo);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(2)) * 1024) : OptionalLong.empty();
    }

    /**
     * Class name -> {instances, bytes} from {@code jcmd GC.class_histogram} lines like
     * {@code "   1:   929336   55224480  [B (java.base@17.0.15)"}; the module suffix is dropped.
     */
    public static java.util.Map<String, long[]> parseClassHistogram(String histogram) {
        java.util.Map<String, long[]> classes = new java.util.HashMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":")) {
                continue;
            }
            try {
                classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            } catch (NumberFormatException e) {
                // the "Total" line and headers are not classes
            }
        }
        return classes;
    }

    /** The GCT column of {@code jstat -gc} output (header line, then values). */
    public static OptionalDouble parseJstatGcSeconds(String jstat) {
        String[] lines = jstat.strip().split("\n");
        if (lines.length < 2) {
            return OptionalDouble.empty();
        }
        String[] header = lines[0].trim().split("\\s+");
        String[] values = lines[1].trim().split("\\s+");
        for (int i = 0; i < header.length && i < values.length; i++) {
            if (header[i].equals("GCT")) {
                try {
                    return OptionalDouble.of(Double.parseDouble(values[i]));
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return OptionalDouble.empty();
    }

    // ---- helpers ----

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | UnsupportedOperationException e) {
            // the process is gone or this is not Linux: the caller reports "n/a"
            return Optional.empty();
        }
    }

    /** Runs a JDK tool from this JVM's java.home (falling back to PATH); empty on failure. */
    private static Optional<String> tool(String name, String... args) {
        Path home = Path.of(System.getProperty("java.home"), "bin", name);
        List<String> cmd = new ArrayList<>();
        cmd.add(Files.isExecutable(home) ? home.toString() : name);
        cmd.addAll(List.of(args));
        Path out = null;
        try {
            // output to a file, so a hung tool cannot block us on a pipe: waitFor bounds the wait
            out = Files.createTempFile("magpie-bench-" + name, ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(Files.readString(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a leftover temp file in /tmp is harmless
                }
            }
        }
    }
}
