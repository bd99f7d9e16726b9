package io.magpie.bench.internal.load;

import io.magpie.bench.internal.report.Numbers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Where the CPU went during the measured window: the machine's busy share, this bench process, the
 * server process given by {@code --server-pid} and each of its child processes (an embedded MariaDB and
 * redis-server), and the server JVM's GC time and RSS. This is what says which process bounded a
 * result. Start with {@link #start}, read with {@link #stop()}; one window per instance.
 */
public final class CpuWindow {

    private enum Kind { BENCH, SERVER_JVM, SERVER_CHILD }

    private record Proc(long pid, String label, long ticks, Kind kind) {
    }

    /**
     * The window in numbers, for ratios such as server CPU per delivery.
     *
     * @param seconds          length of the window
     * @param serverCpuSeconds CPU time of the server JVM and its children (MariaDB, redis) in the window; 0
     *                         without a server pid
     * @param serverJvmCpuSeconds the server JVM's part of it
     * @param benchCpuSeconds  CPU time of this bench JVM and its worker processes in the window
     */
    public record Usage(double seconds, double serverCpuSeconds, double serverJvmCpuSeconds, double benchCpuSeconds) {
        public static final Usage NONE = new Usage(0, 0, 0, 0);
    }

    private final long startNanos;
    private final Optional<long[]> machine;
    private final List<Proc> procs;
    private final long serverPid;
    private final OptionalDouble serverGc;
    private Usage usage = Usage.NONE;

    private CpuWindow(long serverPid) {
        this.serverPid = serverPid;
        // jstat takes a few hundred ms: read it first, so the /proc snapshots mark the window's start
        this.serverGc = serverPid > 0 ? ProcessProbe.gcSeconds(serverPid) : OptionalDouble.empty();
        this.startNanos = System.nanoTime();
        this.machine = ProcessProbe.machineTicks();
        this.procs = snapshot(serverPid);
    }

    /** @param serverPid the server JVM, or 0 to watch only the machine and this process */
    public static CpuWindow start(long serverPid) {
        return new CpuWindow(serverPid);
    }

    private static List<Proc> snapshot(long serverPid) {
        List<Proc> list = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        ProcessProbe.cpuTicks(self).ifPresent(t -> list.add(new Proc(self, "bench (this JVM)", t, Kind.BENCH)));
        // bench worker processes already running (lean receivers): only their CPU inside the window counts
        ProcessHandle.current().descendants().forEach(d -> ProcessProbe.cpuTicks(d.pid()).ifPresent(t ->
                list.add(new Proc(d.pid(), "bench worker (pid " + d.pid() + ")", t, Kind.BENCH))));
        if (serverPid > 0) {
            ProcessProbe.cpuTicks(serverPid).ifPresent(t -> list.add(new Proc(serverPid,
                    "server JVM (pid " + serverPid + ")", t, Kind.SERVER_JVM)));
            for (long child : ProcessProbe.descendants(serverPid)) {
                ProcessProbe.cpuTicks(child).ifPresent(t -> list.add(new Proc(child,
                        ProcessProbe.name(child) + " (pid " + child + ")", t, Kind.SERVER_CHILD)));
            }
        }
        return list;
    }

    /** The window's CPU shares as report lines (label -> value), e.g. "server JVM CPU" -> "143% of one core". */
    public Map<String, String> stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> perProcess = new LinkedHashMap<>();
        double watchedCores = 0;
        List<Proc> watched = new ArrayList<>(procs);
        // bench worker processes started inside the window: all their CPU time is the window's
        ProcessHandle.current().descendants().filter(d -> procs.stream().noneMatch(p -> p.pid() == d.pid()))
                .forEach(d -> watched.add(new Proc(d.pid(), "bench worker (pid " + d.pid() + ")", 0, Kind.BENCH)));
        double server = 0;
        double serverJvm = 0;
        double bench = 0;
        for (Proc p : watched) {
            OptionalLong now = ProcessProbe.cpuTicks(p.pid());
            if (now.isPresent() && seconds > 0) {
                double cpuSeconds = (now.getAsLong() - p.ticks()) / (double) ProcessProbe.TICKS_PER_SECOND;
                double cores = cpuSeconds / seconds;
                switch (p.kind()) {
                    case BENCH -> bench += cpuSeconds;
                    case SERVER_JVM -> {
                        serverJvm += cpuSeconds;
                        server += cpuSeconds;
                    }
                    case SERVER_CHILD -> server += cpuSeconds;
                }
                watchedCores += cores;
                perProcess.put("CPU " + p.label(), String.format(Locale.ROOT, "%.0f%% of one core", cores * 100));
            }
        }
        Optional<long[]> machineNow = ProcessProbe.machineTicks();
        if (machine.isPresent() && machineNow.isPresent()) {
            long total = machineNow.get()[0] - machine.get()[0];
            long idle = machineNow.get()[1] - machine.get()[1];
            int cores = Runtime.getRuntime().availableProcessors();
            if (total > 0) {
                double busyShare = (double) (total - idle) / total;
                out.put("machine CPU busy", String.format(Locale.ROOT, "%.0f%% of %d cores", 100 * busyShare, cores));
                // what neither the bench nor the watched server used: other work sharing the machine
                out.put("CPU other processes (machine busy - the ones below)", String.format(Locale.ROOT,
                        "%.0f%% of one core", Math.max(0, busyShare * cores - watchedCores) * 100));
            }
        }
        out.putAll(perProcess);
        usage = new Usage(seconds, server, serverJvm, bench);
        if (serverPid > 0) {
            OptionalDouble gcNow = ProcessProbe.gcSeconds(serverPid);
            if (serverGc.isPresent() && gcNow.isPresent()) {
                double gc = gcNow.getAsDouble() - serverGc.getAsDouble();
                out.put("server JVM GC time", String.format(Locale.ROOT, "%.2f s (%.1f%% of the window)", gc,
                        seconds > 0 ? 100 * gc / seconds : 0));
            }
            ProcessProbe.rssBytes(serverPid).ifPresent(rss -> out.put("server JVM RSS", Numbers.bytes(rss)));
        }
        return out;
    }

    /** The window in numbers once {@link #stop()} ran ({@link Usage#NONE} before). */
    public Usage usage() {
        return usage;
    }
}
