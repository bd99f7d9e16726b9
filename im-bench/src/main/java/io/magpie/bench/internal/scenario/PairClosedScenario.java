package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.BenchUsers;
import io.magpie.bench.internal.load.ClientFleet;
import io.magpie.bench.internal.load.MessageKeys;
import io.magpie.bench.internal.load.MessageTracker;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.client.MagpieClient;
import io.magpie.protocol.proto.ConversationType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * 1:1 closed loop: N pairs, the first of each pair keeps K messages in flight to the second; a message
 * leaves flight when it is delivered (or failed, or timed out), and the next one is sent at once.
 * Measures delivered msg/s and send -> delivered latency from the actual send time (a closed loop cannot
 * see coordinated omission; use pair-open for latency at a given load).
 */
@Command(name = "pair-closed", mixinStandardHelpOptions = true,
        description = {"1:1 closed loop: N pairs, K messages in flight per pair; delivered msg/s and"
                + " send -> delivered latency.",
            "Example: ./bench pair-closed --pairs 20 --inflight 8 --duration 30s --server-pid $(pgrep -f 'magpie.jar standalone')"})
public final class PairClosedScenario extends Scenario {

    @Mixin
    TimingOptions timing;

    @Mixin
    ReadOptions reading;

    @Option(names = {"-n", "--pairs"}, defaultValue = "10", paramLabel = "N",
            description = "sender/recipient pairs, each two users and two connections (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = {"-k", "--inflight"}, defaultValue = "1", paramLabel = "K",
            description = "messages in flight per pair (default: ${DEFAULT-VALUE})")
    int inflight;

    private volatile boolean sending;
    private volatile MessageRun run;
    private volatile List<MagpieClient> clients;
    private volatile List<BenchUsers.User> users;
    private volatile AtomicLongArray counters;

    @Override
    protected void validate() {
        timing.validate();
        reading.validate();
        if (pairs < 1 || pairs > 10_000) {
            throw new IllegalArgumentException("--pairs must be 1..10000, got " + pairs);
        }
        if (inflight < 1 || inflight > 10_000) {
            throw new IllegalArgumentException("--inflight must be 1..10000, got " + inflight);
        }
    }

    @Override
    protected List<RunReport> run() throws Exception {
        MachineInfo machine = MachineInfo.detect();
        Instant started = clock.instant();
        out.printf("pair-closed: %d pairs x %d in flight, warmup %s, measure %s%s (run %s)%n", pairs, inflight,
                DurationConverter.format(timing.warmup), DurationConverter.format(timing.duration),
                reading.describe(), common.runId());
        users = new BenchUsers(common.accountClient(), common.runId(), common.setupParallelism,
                common.setupTimeout, out).create(2 * pairs);
        counters = new AtomicLongArray(pairs);
        try (ClientFleet fleet = new ClientFleet(common.clientConfig().build(), common.clientThreads())) {
            MessageTracker tracker = new MessageTracker(t -> {
                if (!sending) {
                    return;
                }
                if (t.failed()) {
                    // back off a little: a client that fails at once must not spin the loop
                    fleet.group().schedule(() -> sendNext(t.sender()), 100, TimeUnit.MILLISECONDS);
                } else {
                    sendNext(t.sender());
                }
            });
            MessageRun run = new MessageRun(tracker, reading.tracker(), timing.payload(), out);
            this.run = run;
            clients = fleet.connect(users, (u, c) -> u.index() % 2 == 1 ? run.recipient(c) : null,
                    common.setupParallelism, common.setupTimeout, out);
            try (Ticker ticker = new Ticker(() -> run.tick(timing.deliveryTimeout, "msg/s"))) {
                sending = true;
                for (int p = 0; p < pairs; p++) {
                    for (int k = 0; k < inflight; k++) {
                        sendNext(p);
                    }
                }
                Thread.sleep(timing.warmup.toMillis());
                run.startWindow(common.serverPid, common.hopProbe());
                Thread.sleep(timing.duration.toMillis());
                run.endWindow();
                sending = false;
                run.drain(timing.drain);
            }
            return List.of(report(run, machine, started));
        }
    }

    private void sendNext(int pair) {
        if (!sending) {
            return;
        }
        long key = MessageKeys.key(pair, counters.getAndIncrement(pair));
        long recipientUid = users.get(2 * pair + 1).uid();
        run.send(clients.get(2 * pair), pair, key, System.nanoTime(), ConversationType.SINGLE, recipientUid, 1);
    }

    private RunReport report(MessageRun run, MachineInfo machine, Instant started) {
        MessageTracker t = run.tracker();
        RunReport.Builder r = report("pair-closed", started, machine)
                .param("pairs", pairs).param("inflight", inflight)
                .param("duration", timing.duration.toSeconds() + "s").param("warmup", timing.warmup.toSeconds() + "s")
                .param("payload_bytes", timing.payloadBytes).param("read_every", reading.param());
        var latency = t.deliveryLatency().total();
        double throughput = t.deliveriesInWindow() / run.windowSeconds();
        run.fill(r, latency, "send -> delivered to the recipient (closed loop, from the actual send)", throughput,
                "delivered msg/s");
        r.plot("send -> delivered", latency).plot("send -> SEND_ACK", t.ackLatency().total());
        r.note("Closed loop: the offered load adapts to the server; latency under a fixed load is pair-open's job.");
        return r.build();
    }
}
