package io.magpie.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Manual probe: starts the infrastructure from the environment, prints timings and resident
 * memory (this JVM and the server child processes), then stops it. With {@code hold} it keeps
 * running until killed (used to prove that a {@code kill -9}ed JVM's servers are cleaned up).
 */
public final class InfrastructureMain {

    private InfrastructureMain() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Infrastructure infrastructure = Infrastructure.start(
                InfrastructureConfig.fromEnvironment(System.getenv()));
        long started = System.nanoTime();
        System.out.println("START_MS " + (started - t0) / 1_000_000);
        System.out.println("DESCRIBE " + infrastructure.describe());
        System.out.println("RSS_MB jvm=" + rssMb(ProcessHandle.current().pid())
                + ProcessHandle.current().children()
                        .map(p -> " " + p.info().command().map(c -> Path.of(c).getFileName()
                                .toString()).orElse("?") + "=" + rssMb(p.pid()))
                        .reduce("", String::concat));
        ProcessHandle.current().children().forEach(p -> System.out.println("CHILD "
                + p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?")
                + " " + p.pid()));
        if (args.length > 0 && args[0].equals("hold")) {
            System.out.println("HOLDING pid " + ProcessHandle.current().pid());
            Thread.sleep(Long.MAX_VALUE);
        }
        long t1 = System.nanoTime();
        infrastructure.close();
        System.out.println("STOP_MS " + (System.nanoTime() - t1) / 1_000_000);
    }

    private static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
