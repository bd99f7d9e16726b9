package io.magpie.gate;

import io.magpie.protocol.Command;
import io.magpie.protocol.proto.HopTrace;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where the time of one message goes, hop by hop: the gate that writes a SEND's SEND_ACK or PUSH records
 * the {@code HopTrace} the frame carried (stamped by the sender's gate, logic and the router) plus its own
 * receive and write times, into one latency histogram per hop and per kind. Served as
 * {@code GET /debug/hops} on the health listener (docs/operations.md, "Hop latencies"); the load tool
 * prints it beside its end-to-end figures.
 *
 * <p>Recording is wait-free (HdrHistogram {@link Recorder}) and costs a few hundred nanoseconds per frame
 * on the event loop that wrote it. A hop whose end is stamped before its start (roles on hosts whose
 * clocks differ) is recorded as 0 and counted in {@link HopStats#negative()}. Thread-safe.
 */
public final class HopLatencies {

    /** The hops of one message, in path order; {@link #TOTAL} is the whole way from gate to gate. */
    public enum Hop {
        UPSTREAM("gate read the SEND -> logic polled it (gate produce, broker, logic fetch)"),
        LOGIC_STORE("logic polled -> batch committed (dedupe, checks, ids, MySQL transaction)"),
        LOGIC_PUBLISH("batch committed -> push task handed to logic's producer"),
        PUSH_BUS("push task produced -> router polled it (logic produce, broker, router fetch)"),
        ROUTER("router polled -> GATE_PUSH written (route lookup in Redis)"),
        GATE_LINK("router wrote GATE_PUSH -> the recipient's gate read it"),
        GATE_WRITE("the recipient's gate read GATE_PUSH -> frame written and flushed to the client"),
        TOTAL("the sender's gate read the SEND -> the recipient's gate flushed the frame");

        private final String meaning;

        Hop(String meaning) {
            this.meaning = meaning;
        }

        /** What the hop spans. */
        public String meaning() {
            return meaning;
        }
    }

    /** One hop's figures, microseconds. */
    public record HopStats(Hop hop, String meaning, long count, long negative, double meanUs, long p50Us, long p90Us,
            long p99Us, long p999Us, long maxUs) {
    }

    /** The figures of one kind of frame ({@code PUSH} or {@code SEND_ACK}) since the last reset. */
    public record KindStats(String kind, List<HopStats> hops) {
    }

    /** Every kind's figures and how long they were collected. */
    public record Snapshot(long sinceEpochMillis, long untilEpochMillis, List<KindStats> kinds) {
    }

    private static final int SIGNIFICANT_DIGITS = 3;

    private final Map<Command, Kind> kinds = new EnumMap<>(Command.class);
    private long since;

    /** @param nowMillis the start of the first collection window (epoch ms) */
    public HopLatencies(long nowMillis) {
        kinds.put(Command.PUSH, new Kind());
        kinds.put(Command.SEND_ACK, new Kind());
        this.since = nowMillis;
    }

    /**
     * Records one written frame of a traced SEND; frames of other commands or without a trace are ignored.
     *
     * @param receivedUs when this gate read the GATE_PUSH (µs since the epoch)
     * @param writtenUs  when it had written and flushed the frame
     */
    public void record(Command command, HopTrace trace, long receivedUs, long writtenUs) {
        Kind kind = kinds.get(command);
        if (kind == null || trace.getGateReceivedUs() == 0 || trace.getRouterSentUs() == 0) {
            return;
        }
        kind.record(Hop.UPSTREAM, trace.getLogicPolledUs() - trace.getGateReceivedUs());
        kind.record(Hop.LOGIC_STORE, trace.getLogicStoredUs() - trace.getLogicPolledUs());
        kind.record(Hop.LOGIC_PUBLISH, trace.getPushProducedUs() - trace.getLogicStoredUs());
        kind.record(Hop.PUSH_BUS, trace.getRouterPolledUs() - trace.getPushProducedUs());
        kind.record(Hop.ROUTER, trace.getRouterSentUs() - trace.getRouterPolledUs());
        kind.record(Hop.GATE_LINK, receivedUs - trace.getRouterSentUs());
        kind.record(Hop.GATE_WRITE, writtenUs - receivedUs);
        kind.record(Hop.TOTAL, writtenUs - trace.getGateReceivedUs());
    }

    /**
     * The figures since the last reset.
     *
     * @param nowMillis the end of the window (epoch ms)
     * @param reset     start a new window after this one
     */
    public synchronized Snapshot snapshot(long nowMillis, boolean reset) {
        List<KindStats> out = new ArrayList<>();
        for (Map.Entry<Command, Kind> e : kinds.entrySet()) {
            out.add(new KindStats(e.getKey().name(), e.getValue().stats(reset)));
        }
        Snapshot snapshot = new Snapshot(since, nowMillis, out);
        if (reset) {
            since = nowMillis;
        }
        return snapshot;
    }

    /** One kind's recorders and what they collected since the last reset. Guarded by the outer lock. */
    private static final class Kind {
        private final Map<Hop, Recorder> recorders = new EnumMap<>(Hop.class);
        private final Map<Hop, Histogram> collected = new EnumMap<>(Hop.class);
        private final Map<Hop, LongAdder> negative = new EnumMap<>(Hop.class);

        Kind() {
            for (Hop hop : Hop.values()) {
                recorders.put(hop, new Recorder(SIGNIFICANT_DIGITS));
                collected.put(hop, new Histogram(SIGNIFICANT_DIGITS));
                negative.put(hop, new LongAdder());
            }
        }

        void record(Hop hop, long micros) {
            if (micros < 0) {
                negative.get(hop).increment();
                micros = 0;
            }
            recorders.get(hop).recordValue(micros);
        }

        List<HopStats> stats(boolean reset) {
            List<HopStats> out = new ArrayList<>();
            for (Hop hop : Hop.values()) {
                Histogram h = collected.get(hop);
                h.add(recorders.get(hop).getIntervalHistogram());
                long count = h.getTotalCount();
                out.add(new HopStats(hop, hop.meaning(), count, negative.get(hop).sum(),
                        count == 0 ? 0 : h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue()));
                if (reset) {
                    h.reset();
                    negative.get(hop).reset();
                }
            }
            return out;
        }
    }
}
