package io.magpie.bench.internal.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How a bench worker process ends, both sides: the parent {@link #stop stops} it with its stop line on stdin,
 * at most a minute to exit (then it is killed), a grace for the reader of its last output lines, and its token
 * file removed; the worker {@link #awaitStopLine waits} for that line, or exits on its own after its maximum
 * life (an orphan must not hold connections forever).
 */
final class WorkerStop {

    /** The line that asks a worker to report and close. */
    static final String STOP = "STOP";
    /** A worker that never got its stop line exits (status 3) after this long. */
    private static final long MAX_LIFE_HOURS = 24;

    private WorkerStop() {
    }

    /** In the worker: returns once stdin says {@link #STOP} or closes. */
    static void awaitStopLine() throws IOException {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.HOURS.toMillis(MAX_LIFE_HOURS));
                System.exit(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-worker-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.strip().equals(STOP)) {
            // anything else on stdin is ignored
        }
    }

    /**
     * @param stopLine      the line that asks the worker to report and close
     * @param reader        the thread reading the worker's output
     * @param readerMillis  how long the last lines may still take to come through the pipe
     * @param tokenFile     the worker's token file, deleted in any case
     */
    static void stop(Process process, String stopLine, Thread reader, long readerMillis, Path tokenFile) {
        try {
            if (process.isAlive()) {
                process.getOutputStream().write((stopLine + "\n").getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().flush();
                process.getOutputStream().close();
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(readerMillis);
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                Files.deleteIfExists(tokenFile);
            } catch (IOException e) {
                System.err.println("cannot delete " + tokenFile + ": " + e);
            }
        }
    }
}
