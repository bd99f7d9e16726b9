package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.ConnectPhase;
import io.magpie.bench.internal.load.DeliveryDeltas;
import io.magpie.bench.internal.load.GateLogins;
import io.magpie.bench.internal.load.HistogramText;
import io.magpie.bench.internal.load.LeanPushes;
import io.magpie.bench.internal.load.WorkerReport;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The child side of {@code group-fanout --receivers lean} (not for direct use): logs in one lean connection
 * per token ({@link LeanPushes}: PUSH -> PUSH_ACK, PING on the heartbeat), prints a {@link WorkerReport} line
 * once they are in, then until {@code STOP} on stdin (or stdin closing): every {@code --flush-ms} a
 * {@link DeliveryDeltas} line, every second {@code H <histogram>} (the latencies recorded since the last one),
 * and at the end the last of both and {@code END pushes=N other=N malformed=N closed=N unexpected_frames=N}.
 */
@Command(name = FanoutReceiverWorker.NAME, hidden = true,
        description = "internal: one lean receiver process of 'group-fanout --receivers lean'")
public final class FanoutReceiverWorker implements Callable<Integer> {
    static final String NAME = "fanout-receiver";
    static final String HIST = "H ";
    static final String END = "END ";
    static final String STOP = WorkerStop.STOP;

    @Option(names = "--gate", required = true) String gate;
    @Option(names = "--tokens", required = true) Path tokens;
    @Option(names = "--concurrency", defaultValue = "100") int concurrency;
    @Option(names = "--threads", defaultValue = "1") int threads;
    @Option(names = "--login-timeout", defaultValue = "15s", converter = DurationConverter.class) Duration loginTimeout;
    @Option(names = "--setup-timeout", defaultValue = "10m", converter = DurationConverter.class) Duration setupTimeout;
    @Option(names = "--flush-ms", defaultValue = "20") int flushMs;
    @Option(names = "--share", defaultValue = "0") int share;
    @Option(names = "--shares", defaultValue = "1") int shares;

    @Override
    public Integer call() throws Exception {
        List<String> lines = Files.readAllLines(tokens, StandardCharsets.UTF_8);
        int colon = gate.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(gate.substring(0, colon),
                Integer.parseInt(gate.substring(colon + 1)));
        PrintStream out = System.out;
        LeanPushes pushes = new LeanPushes();
        try (GateLogins logins = new GateLogins(threads, pushes)) {
            ConnectPhase.Counters counters = new ConnectPhase.Counters();
            ConnectPhase.Result result = ConnectPhase.run(logins, target,
                    List.of(), lines, concurrency, loginTimeout, setupTimeout, counters,
                    0, share, shares);
            emit(out, new WorkerReport(result, counters.latency.total()).toLine());
            ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fanout-receiver-flush");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleAtFixedRate(() -> flushDeltas(out, pushes), flushMs, flushMs, TimeUnit.MILLISECONDS);
            flusher.scheduleAtFixedRate(() -> flushLatency(out, pushes), 1, 1, TimeUnit.SECONDS);
            WorkerStop.awaitStopLine();
            flusher.shutdown();
            flusher.awaitTermination(5, TimeUnit.SECONDS);
            flushDeltas(out, pushes);
            flushLatency(out, pushes);
            emit(out, END + "pushes=" + pushes.pushes() + " other=" + pushes.otherMessages() + " malformed="
                    + pushes.malformed() + " closed=" + logins.closedAfterLogin() + " unexpected_frames="
                    + logins.unexpectedFrames());
        }
        return 0;
    }

    private static void flushDeltas(PrintStream out, LeanPushes pushes) {
        String line = DeliveryDeltas.toLine(pushes.deltas().drain());
        if (line != null) {
            emit(out, line);
        }
    }

    private static void flushLatency(PrintStream out, LeanPushes pushes) {
        Histogram h = pushes.latency().interval();
        if (h.getTotalCount() > 0) {
            emit(out, HIST + HistogramText.encode(h));
        }
    }

    /** One whole line, flushed at once (the flusher and the main thread both write). */
    private static void emit(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

}
