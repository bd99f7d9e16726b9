package io.magpie.bench.internal.load;

import io.magpie.bench.internal.report.ErrorBreakdown;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.ErrorCode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts failed requests by what failed them, so a report can say which error it was, not just how many.
 * The name of a failure ({@link #nameOf}) is the server's error code for an ERROR answer, else a name
 * for what the client saw. Thread-safe: failures arrive on many event loops.
 */
public final class ErrorTally {

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> firstMessages = new ConcurrentHashMap<>();

    /** Counts {@code failure} under {@link #nameOf its name}; returns the name. */
    public String record(Throwable failure) {
        String name = nameOf(failure);
        counts.computeIfAbsent(name, k -> new LongAdder()).increment();
        Throwable t = unwrap(failure);
        firstMessages.computeIfAbsent(name, k -> t == null ? "" : String.valueOf(t.getMessage()));
        return name;
    }

    /** The message of the first failure of each name (what the server said), for the report. */
    public Map<String, String> firstMessages() {
        return new TreeMap<>(firstMessages);
    }

    /** What was counted so far. */
    public ErrorBreakdown snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return ErrorBreakdown.of(copy);
    }

    /**
     * The name a failure is counted under: the error code of an ERROR answer ({@code RATE_LIMITED}; a code
     * this client does not know is {@code CODE_<number>}), {@code TIMEOUT} (no answer within the request
     * timeout), {@code CONNECTION_LOST} (not connected, or the connection closed with the request in
     * flight), the account API's code ({@code HTTP_503}, {@code UNREACHABLE}), else the exception's class name.
     */
    public static String nameOf(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof MagpieErrorException e) {
            return e.code() == ErrorCode.INTERNAL && e.rawCode() != ErrorCode.INTERNAL.code()
                    ? "CODE_" + e.rawCode() : e.code().name();
        }
        if (t instanceof RequestTimeoutException) {
            return "TIMEOUT";
        }
        if (t instanceof ConnectionLostException) {
            return "CONNECTION_LOST";
        }
        if (t instanceof MagpieApiException e) {
            return e.code();
        }
        return t == null ? "UNKNOWN" : t.getClass().getSimpleName();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
