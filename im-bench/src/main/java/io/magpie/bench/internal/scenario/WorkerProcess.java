package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.WorkerReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A child bench process holding its share of the connections. */
final class WorkerProcess {
    private final int index;
    private final Process process;
    private final Path tokenFile;
    private volatile WorkerReport report;
    private volatile long connected;
    private volatile long failed;
    private volatile long closedAfterLogin;
    private Thread reader;

    private WorkerProcess(int index, Process process, Path tokenFile) {
        this.index = index;
        this.process = process;
        this.tokenFile = tokenFile;
    }

    static WorkerProcess start(int index, List<String> tokens, InetSocketAddress gate, List<InetAddress> sources,
                               int concurrency, Duration loginTimeout, Duration setupTimeout, String heap,
                               int threads, int warmups, int shares) throws IOException {
        Path file = Files.createTempFile("magpie-bench-tokens-" + index + "-", ".txt");
        Files.write(file, tokens, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-cp", System.getProperty("java.class.path"), "io.magpie.bench.Bench", ConnectionsWorker.NAME,
                "--gate", gate.getHostString() + ":" + gate.getPort(), "--tokens", file.toString(),
                "--sources", String.join(",", sources.stream().map(InetAddress::getHostAddress).toList()),
                "--concurrency", Integer.toString(concurrency), "--login-timeout", loginTimeout.toMillis() + "ms",
                "--setup-timeout", setupTimeout.toMillis() + "ms", "--threads", Integer.toString(threads),
                "--warmup-connections", Integer.toString(warmups), "--share", Integer.toString(index),
                "--shares", Integer.toString(shares)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        WorkerProcess w = new WorkerProcess(index, p, file);
        w.reader = new Thread(w::readOutput, "bench-worker-" + index);
        w.reader.setDaemon(true);
        w.reader.start();
        return w;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(WorkerReport.PREFIX)) {
                    report = WorkerReport.parse(line);
                } else if (line.startsWith(ConnectionsWorker.PROGRESS)) {
                    String[] f = line.split(" ");
                    connected = Long.parseLong(f[1]);
                    failed = Long.parseLong(f[2]);
                } else if (line.startsWith(ConnectionsWorker.CLOSED)) {
                    closedAfterLogin = Long.parseLong(line.substring(ConnectionsWorker.CLOSED.length()).trim());
                } else {
                    System.out.println("[worker " + index + "] " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[worker " + index + "] cannot read its output: " + e);
        }
    }

    int index() {
        return index;
    }

    WorkerReport report() {
        return report;
    }

    boolean alive() {
        return process.isAlive();
    }

    long connected() {
        return report != null ? report.result().connected() : connected;
    }

    long failed() {
        return report != null ? report.result().failed() : failed;
    }

    /** Connections the server dropped while idle, as the worker reported when stopped. */
    long closedAfterLogin() {
        return closedAfterLogin;
    }

    /** Asks the worker to report and close; it must exit within a minute or is killed. */
    void stop() {
        WorkerStop.stop(process, ConnectionsWorker.STOP, reader, 5_000, tokenFile);
    }
}
