package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.DeliveryDeltas;
import io.magpie.bench.internal.load.HistogramText;
import io.magpie.bench.internal.load.WorkerReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * A child bench process holding lean fan-out receivers ({@link FanoutReceiverWorker}): started with its
 * share of the tokens, it reports its logins, then streams delivery deltas and latency histograms, which this
 * class hands to the callbacks on its reader thread as they come.
 */
final class ReceiverProcess {

    /** Where the worker's stream goes; called on this process's reader thread. */
    interface Sink {
        void deliveries(List<DeliveryDeltas.Entry> entries);

        void latency(Histogram micros);
    }

    private final int index;
    private final Process process;
    private final Path tokenFile;
    private final Sink sink;
    private volatile WorkerReport report;
    private volatile Map<String, Long> end;
    private volatile String failure;
    private Thread reader;

    private ReceiverProcess(int index, Process process, Path tokenFile, Sink sink) {
        this.index = index;
        this.process = process;
        this.tokenFile = tokenFile;
        this.sink = sink;
    }

    static ReceiverProcess start(int index, int shares, List<String> tokens, InetSocketAddress gate, int concurrency,
                                 Duration loginTimeout, Duration setupTimeout, String heap, int threads, Sink sink)
            throws IOException {
        Path file = Files.createTempFile("magpie-bench-receivers-" + index + "-", ".txt");
        Files.write(file, tokens, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.magpie.bench.Bench", FanoutReceiverWorker.NAME,
                "--gate", gate.getHostString() + ":" + gate.getPort(), "--tokens", file.toString(),
                "--concurrency", Integer.toString(concurrency), "--login-timeout", loginTimeout.toMillis() + "ms",
                "--setup-timeout", setupTimeout.toMillis() + "ms", "--threads", Integer.toString(threads),
                "--share", Integer.toString(index), "--shares", Integer.toString(shares)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ReceiverProcess w = new ReceiverProcess(index, p, file, sink);
        w.reader = new Thread(w::readOutput, "bench-receivers-" + index);
        w.reader.setDaemon(true);
        w.reader.start();
        return w;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(DeliveryDeltas.PREFIX)) {
                    sink.deliveries(DeliveryDeltas.parse(line));
                } else if (line.startsWith(FanoutReceiverWorker.HIST)) {
                    sink.latency(HistogramText.decode(line.substring(FanoutReceiverWorker.HIST.length()).trim()));
                } else if (line.startsWith(WorkerReport.PREFIX)) {
                    report = WorkerReport.parse(line);
                } else if (line.startsWith(FanoutReceiverWorker.END)) {
                    Map<String, Long> f = new HashMap<>();
                    for (String part : line.substring(FanoutReceiverWorker.END.length()).trim().split(" ")) {
                        int eq = part.indexOf('=');
                        f.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
                    }
                    end = f;
                } else {
                    System.out.println("[receivers " + index + "] " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = "cannot read the output of receiver process " + index + ": " + e;
            System.err.println(failure);
        }
    }

    /** Its logins, once done (null before). */
    WorkerReport report() {
        return report;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** A counter of its END line ({@code pushes}, {@code other}, {@code malformed}, {@code closed}, ...), 0 before. */
    long endCounter(String name) {
        Map<String, Long> e = end;
        return e == null ? 0 : e.getOrDefault(name, 0L);
    }

    /** Why its output could not be read, or null. */
    String failure() {
        return failure;
    }

    /** Asks the worker to send its last deltas and close; it must exit within a minute or is killed. */
    void stop() {
        WorkerStop.stop(process, FanoutReceiverWorker.STOP, reader, 10_000, tokenFile);
    }
}
