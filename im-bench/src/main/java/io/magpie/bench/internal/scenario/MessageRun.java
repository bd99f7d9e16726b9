package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.CpuWindow;
import io.magpie.bench.internal.load.HopProbe;
import io.magpie.bench.internal.load.LatencyRecorder;
import io.magpie.bench.internal.load.MessageKeys;
import io.magpie.bench.internal.load.MessageTracker;
import io.magpie.bench.internal.load.ReadTracker;
import io.magpie.bench.internal.load.SendStamp;
import io.magpie.bench.internal.load.WallClock;
import io.magpie.bench.internal.report.Failures;
import io.magpie.bench.internal.report.LatencySummary;
import io.magpie.bench.internal.report.Numbers;
import io.magpie.bench.internal.report.ProgressLine;
import io.magpie.bench.internal.report.ReadResults;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The shared mechanics of one message-scenario step: sending a tracked message through the SDK,
 * the recipients' listener (which also marks the conversation read when the {@link ReadTracker} says so),
 * the once-a-second progress line, the drain, and the standard report fields.
 * One instance per measured step; thread-safe like the trackers it wraps.
 */
final class MessageRun {

    private final MessageTracker tracker;
    private final ReadTracker reads;
    private final MessageContent content;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private volatile String phase = "warmup";
    private long lastDeliveries;
    private long lastTickNanos = System.nanoTime();
    private CpuWindow cpu;
    private Map<String, String> cpuResults = Map.of();
    private HopProbe hops;
    private List<HopProbe.Result> hopResults = List.of();
    private long windowStart;
    private long windowEnd;
    private CpuWindow.Usage cpuUsage = CpuWindow.Usage.NONE;
    private WallClock stamps;

    MessageRun(MessageTracker tracker, ReadTracker reads, String payload, PrintStream out) {
        this.tracker = tracker;
        this.reads = reads;
        this.content = MessageContent.newBuilder().setType(MessageType.TEXT).setText(payload).build();
        this.out = out;
    }

    /**
     * From now on every message's text carries its origin as a {@link SendStamp} on {@code clock}'s wall clock
     * (same length as the payload, at least {@value SendStamp#LENGTH}), for receivers in other processes.
     */
    void stampTexts(WallClock clock) {
        this.stamps = clock;
    }

    MessageTracker tracker() {
        return tracker;
    }

    ReadTracker reads() {
        return reads;
    }

    /** The listener of recipient {@code client}: reports each pushed bench message via {@link #delivered}. */
    MessageListener recipient(MagpieClient client) {
        return new MessageListener() {
            @Override
            public void onMessage(Message message) {
                delivered(client, message);
            }
        };
    }

    /**
     * Recipient {@code client} got {@code message}: a bench message is reported to the tracker and, when the
     * read cadence says so, the conversation is marked read up to it (READ; the READ_ACK or failure goes to
     * the read tracker). Runs on the client's event loop, so the READ is only started here.
     */
    void delivered(MagpieClient client, Message message) {
        long key = MessageKeys.parse(message.getClientMsgId());
        if (key < 0) {
            return;
        }
        tracker.onDelivered(key, System.nanoTime());
        if (reads.readsAt(message.getSeq())) {
            long issued = System.nanoTime();
            reads.onIssued(issued);
            client.markRead(message.getConversationId(), message.getSeq()).whenComplete((version, failure) -> {
                if (failure != null) {
                    reads.onFailed(failure);
                } else {
                    reads.onAcked(issued, System.nanoTime());
                }
            });
        }
    }

    /** Registers and sends one message; its SEND_ACK or failure is reported to the tracker. */
    void send(MagpieClient from, int sender, long key, long originNanos, ConversationType type, long targetId,
              int expectedDeliveries) {
        MessageTracker.Track t = tracker.register(key, sender, originNanos, expectedDeliveries);
        MessageContent c = stamps == null ? content : content.toBuilder()
                .setText(SendStamp.text(stamps.toEpochMicros(originNanos), t.measured(), content.getText().length()))
                .build();
        tracker.onSent(t, System.nanoTime());
        from.send(MessageKeys.clientMsgId(key), type, targetId, c).whenComplete((ack, failure) -> {
            if (failure != null) {
                tracker.onSendFailed(t, failure);
            } else {
                tracker.onAck(t, System.nanoTime());
            }
        });
    }

    void startWindow(long serverPid, HopProbe hopProbe) {
        hops = hopProbe;
        if (hops.enabled()) {
            hops.reset();
        }
        cpu = CpuWindow.start(serverPid);
        phase = "measure";
        windowStart = System.nanoTime();
        tracker.startWindow(windowStart);
        reads.startWindow(windowStart);
    }

    void endWindow() {
        windowEnd = System.nanoTime();
        tracker.endWindow(windowEnd);
        reads.endWindow(windowEnd);
        cpuResults = cpu == null ? Map.of() : cpu.stop();
        cpuUsage = cpu == null ? CpuWindow.Usage.NONE : cpu.usage();
        if (hops != null && hops.enabled()) {
            hopResults = hops.read();
            HopProbe.consoleLines(hopResults).forEach(out::println);
        }
        phase = "drain";
    }

    double windowSeconds() {
        return (windowEnd - windowStart) / 1e9;
    }

    Map<String, String> cpuResults() {
        return cpuResults;
    }

    /** The measured window's CPU in numbers ({@link CpuWindow.Usage#NONE} before it ended). */
    CpuWindow.Usage cpuUsage() {
        return cpuUsage;
    }

    /** The progress line; also sweeps delivery timeouts. Called once a second by a ticker. */
    void tick(Duration deliveryTimeout, String rateUnit) {
        long now = System.nanoTime();
        tracker.sweep(now, deliveryTimeout.toNanos());
        long deliveries = tracker.deliveries();
        double rate = (deliveries - lastDeliveries) / ((now - lastTickNanos) / 1e9);
        lastDeliveries = deliveries;
        lastTickNanos = now;
        Histogram interval = tracker.deliveryLatency().interval();
        double intervalP99 = interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(99) / 1000.0;
        String line = ProgressLine.format((now - startNanos) / 1_000_000_000L, phase, rate, rateUnit, deliveries,
                tracker.errors(), tracker.timeouts(), intervalP99, tracker.deliveryLatency().totalPercentileMs(99));
        if (reads.enabled()) {
            Histogram readInterval = reads.latency().interval();
            line += String.format(java.util.Locale.ROOT, "  | reads %,d  errors %d  timeouts %d  p99 %s", reads.issued(),
                    reads.errors(), reads.timeouts(), readInterval.getTotalCount() == 0 ? "-"
                            : Numbers.ms(readInterval.getValueAtPercentile(99) / 1000.0) + " ms");
        }
        out.println(line);
    }

    /** Waits up to {@code limit} for every message to be acked and delivered (or failed), and every READ answered. */
    void drain(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while ((tracker.outstanding() > 0 || reads.outstanding() > 0) && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        phase = "done";
    }

    /** Fills the fields every message scenario reports. */
    void fill(RunReport.Builder r, Histogram headline, String latencyWhat, double throughput, String unit) {
        MessageTracker.Loss loss = tracker.loss();
        r.measuredSeconds(windowSeconds())
                .throughput(throughput, unit)
                .latency(LatencySummary.ofMicros(headline), latencyWhat)
                .failures(failures())
                .reads(readResults());
        r.result("messages sent (whole run)", Long.toString(tracker.sent()))
                .result("SEND_ACKs received", Long.toString(tracker.acked()))
                .result("deliveries (whole run)", Long.toString(tracker.deliveries()))
                .result("SEND_ACK latency p50 / p99 / max (ms)", triple(tracker.ackLatency()))
                .result("missing deliveries of acked messages", Long.toString(loss.missingDeliveries()))
                .result("not acked but delivered / not acked, not delivered",
                        loss.unackedDelivered() + " / " + loss.unackedUndelivered())
                .result("unexpected deliveries (duplicates, unknown)", Long.toString(tracker.unexpectedDeliveries()));
        tracker.errorCodes().firstMessages().forEach((code, message) -> r.result("first SEND " + code, message));
        reads.errorCodes().firstMessages().forEach((code, message) -> r.result("first READ " + code, message));
        cpuResults.forEach(r::result);
        if (!hopResults.isEmpty()) {
            r.section("Server hop latencies (measured window)", HopProbe.markdown(hopResults));
        }
    }

    /** Send errors (by code), timeouts and lost messages so far. */
    Failures failures() {
        return new Failures(tracker.errors(), tracker.timeouts(), tracker.loss().lostMessages(),
                tracker.errorCodes().snapshot());
    }

    /** The READs so far ({@link ReadResults#OFF} when this run sends none). */
    ReadResults readResults() {
        if (!reads.enabled()) {
            return ReadResults.OFF;
        }
        double window = windowSeconds();
        return new ReadResults(reads.every(), reads.issued(), reads.acked(),
                window > 0 ? reads.issuedInWindow() / window : 0, LatencySummary.ofMicros(reads.latency().total()),
                reads.errors(), reads.timeouts(), reads.errorCodes().snapshot());
    }

    static String triple(LatencyRecorder rec) {
        LatencySummary s = LatencySummary.ofMicros(rec.total());
        return Numbers.ms(s.p50Ms()) + " / " + Numbers.ms(s.p99Ms()) + " / " + Numbers.ms(s.maxMs());
    }
}
