package io.magpie.bench.internal.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine and JVM a run happened on, for the report: numbers mean little without them. Immutable.
 *
 * @param cores        processors visible to this JVM
 * @param memoryBytes  physical memory, 0 if unknown
 * @param cpuModel     from /proc/cpuinfo, "unknown" elsewhere
 * @param os           name, version and architecture
 * @param jvm          vendor, VM name and version
 * @param jvmArgs      this JVM's input arguments (heap, GC flags)
 * @param loadAverage  the 1-minute load average when the run started (other work on the box shows here)
 */
public record MachineInfo(int cores, long memoryBytes, String cpuModel, String os, String jvm, List<String> jvmArgs,
                          double loadAverage) {

    public MachineInfo {
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** Reads this machine and JVM. */
    public static MachineInfo detect() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long memory = 0;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            memory = sun.getTotalMemorySize();
        }
        String jvm = System.getProperty("java.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version");
        String osText = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), memory, readCpuModel().orElse("unknown"),
                osText, jvm, ManagementFactory.getRuntimeMXBean().getInputArguments(), os.getSystemLoadAverage());
    }

    private static Optional<String> readCpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            // the model is decoration; the report says "unknown" rather than failing the run
            return Optional.empty();
        }
    }
}
