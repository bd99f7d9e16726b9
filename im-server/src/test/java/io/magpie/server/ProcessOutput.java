package io.magpie.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The output file of a {@code magpie} process a test started: waiting for a line, and its tail for a failure. */
final class ProcessOutput {

    private ProcessOutput() {
    }

    /** Waits up to {@code seconds} for {@code line} in {@code log}; fails early if {@code process} exits. */
    static void awaitLine(Process process, String what, Path log, String line, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
                return;
            }
            if (!process.isAlive()) {
                fail(what + " exited with " + process.exitValue() + " before it was ready:\n" + tail(log));
            }
            Thread.sleep(200);
        }
        fail(what + " not ready within " + seconds + " s:\n" + tail(log));
    }

    /** The last 60 lines of {@code log}. */
    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
