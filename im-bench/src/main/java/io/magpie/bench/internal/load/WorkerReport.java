package io.magpie.bench.internal.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What a connections worker process tells its parent on one stdout line once its connections are open:
 * {@code READY connected=N failed=N start_ms=N end_ms=N late=B error=<b64> hist=<b64>} (the histogram of
 * connect+login latencies, HdrHistogram's compressed encoding). Pure; immutable.
 */
public record WorkerReport(ConnectPhase.Result result, Histogram latency) {

    public static final String PREFIX = "READY ";

    public String toLine() {
        ByteBuffer buf = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
        int n = latency.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[n];
        buf.flip();
        buf.get(bytes);
        ConnectPhase.Result r = result;
        String error = r.firstError() == null ? "" : r.firstError();
        return PREFIX + "connected=" + r.connected() + " failed=" + r.failed() + " start_ms=" + r.startEpochMillis()
                + " end_ms=" + r.endEpochMillis() + " late=" + r.deadlinePassed()
                + " error=" + Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.UTF_8))
                + " hist=" + Base64.getEncoder().encodeToString(bytes);
    }

    /** Parses a line {@link #toLine()} wrote; IllegalArgumentException for anything else. */
    public static WorkerReport parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a worker report: " + line);
        }
        Map<String, String> f = new HashMap<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                f.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            String error = new String(Base64.getDecoder().decode(f.get("error")), StandardCharsets.UTF_8);
            Histogram h = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(f.get("hist"))), 0);
            return new WorkerReport(new ConnectPhase.Result(Long.parseLong(f.get("connected")),
                    Long.parseLong(f.get("failed")), Long.parseLong(f.get("start_ms")), Long.parseLong(f.get("end_ms")),
                    error.isEmpty() ? null : error, Boolean.parseBoolean(f.get("late"))), h);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("malformed worker report (" + e + "): " + line, e);
        }
    }
}
