package io.magpie.bench.internal.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a lean receiver process has delivered since it last told its parent, per message: how many of its
 * connections got the message and the latest arrival among them (epoch microseconds). {@link #drain()}
 * hands out and forgets what accumulated, as one stdout line
 * {@code D <key>:<count>:<lastArrivalMicros> ...} (decimal), which the parent turns into
 * {@link MessageTracker#onDeliveries} calls; merging the lines of every process gives each message's
 * delivery count and its arrival at the last member. Thread-safe: event loops record, one flusher drains.
 */
public final class DeliveryDeltas {

    /** The prefix of a delta line. */
    public static final String PREFIX = "D ";

    /** One message's deliveries in one delta. */
    public record Entry(long key, int count, long lastArrivalMicros) {
    }

    private static final class Acc {
        int count;
        long last;
    }

    private final ConcurrentHashMap<Long, Acc> pending = new ConcurrentHashMap<>();

    /** One connection received message {@code key} at {@code arrivalMicros}. */
    public void record(long key, long arrivalMicros) {
        pending.compute(key, (k, a) -> {
            if (a == null) {
                a = new Acc();
            }
            a.count++;
            a.last = Math.max(a.last, arrivalMicros);
            return a;
        });
    }

    /**
     * Everything recorded since the last call. A record racing with the drain lands either in this result or
     * in the next one, never in neither: each message's accumulator is removed atomically.
     */
    public List<Entry> drain() {
        List<Entry> out = new ArrayList<>();
        for (Long key : pending.keySet()) {
            Acc a = pending.remove(key);
            if (a != null) {
                out.add(new Entry(key, a.count, a.last));
            }
        }
        return out;
    }

    /** The line for {@code entries}, or null when there are none. */
    public static String toLine(List<Entry> entries) {
        if (entries.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder(PREFIX.length() + entries.size() * 32).append(PREFIX);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (i > 0) {
                b.append(' ');
            }
            b.append(e.key()).append(':').append(e.count()).append(':').append(e.lastArrivalMicros());
        }
        return b.toString();
    }

    /** Parses a line {@link #toLine} wrote; IllegalArgumentException for anything else. */
    public static List<Entry> parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a delivery delta line: " + line);
        }
        List<Entry> out = new ArrayList<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            if (part.isEmpty()) {
                continue;
            }
            String[] f = part.split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException("malformed delivery delta '" + part + "' in: " + line);
            }
            try {
                out.add(new Entry(Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed delivery delta '" + part + "' in: " + line, e);
            }
        }
        return out;
    }
}
