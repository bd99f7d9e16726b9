package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.ConnectPhase;
import io.magpie.bench.internal.load.GateLogins;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.load.WorkerReport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The child side of a multi-process connections run (not for direct use): opens the connections for the
 * tokens in a file, prints progress and a {@link WorkerReport} line, holds them until {@code STOP} (or
 * its stdin closes), then prints how many the server dropped meanwhile and exits.
 */
@Command(name = ConnectionsWorker.NAME, hidden = true, description = "internal: one worker process of 'connections'")
public final class ConnectionsWorker implements Callable<Integer> {
    static final String NAME = "connections-worker";
    static final String PROGRESS = "PROGRESS ";
    static final String CLOSED = "CLOSED ";
    static final String STOP = WorkerStop.STOP;

    @Option(names = "--gate", required = true) String gate;
    @Option(names = "--tokens", required = true) Path tokens;
    @Option(names = "--sources", split = ",") List<String> sources = new ArrayList<>();
    @Option(names = "--concurrency", defaultValue = "100") int concurrency;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--login-timeout", defaultValue = "15s", converter = DurationConverter.class) Duration loginTimeout;
    @Option(names = "--setup-timeout", defaultValue = "10m", converter = DurationConverter.class) Duration setupTimeout;
    @Option(names = "--warmup-connections", defaultValue = "0") int warmups;
    @Option(names = "--share", defaultValue = "0") int share;
    @Option(names = "--shares", defaultValue = "1") int shares;

    @Override
    public Integer call() throws Exception {
        List<String> lines = Files.readAllLines(tokens, StandardCharsets.UTF_8);
        List<InetAddress> from = new ArrayList<>();
        for (String s : sources) {
            from.add(InetAddress.getByName(s));
        }
        int colon = gate.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(gate.substring(0, colon),
                Integer.parseInt(gate.substring(colon + 1)));
        ConnectPhase.warmUp(threads, target, from, lines, warmups, concurrency, loginTimeout, setupTimeout, share,
                shares);
        ConnectPhase.Counters counters = new ConnectPhase.Counters();
        try (GateLogins logins = new GateLogins(threads)) {
            ConnectPhase.Result result;
            try (Ticker ticker = new Ticker(() -> System.out.println(PROGRESS + counters.connected.sum() + " "
                    + counters.failed.sum()))) {
                result = ConnectPhase.run(logins, target, from, lines, concurrency, loginTimeout, setupTimeout,
                        counters, ConnectPhase.warmUpPorts(warmups, from), share, shares);
            }
            System.out.println(new WorkerReport(result, counters.latency.total()).toLine());
            System.out.flush();
            WorkerStop.awaitStopLine();
            System.out.println(CLOSED + logins.closedAfterLogin());
            System.out.flush();
        }
        return 0;
    }

}
