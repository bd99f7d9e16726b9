package io.magpie.bench.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the server's hop latencies ({@code GET /debug/hops} on a gate process's health listener,
 * docs/operations.md "Hop latencies"): {@link #reset} when the measured window opens, {@link #read} when it
 * closes, so the breakdown covers the same messages as the end-to-end figures. A URL that does not answer
 * makes the breakdown "not available" with the reason; it never fails the run.
 */
public final class HopProbe {

    /** One hop's figures in microseconds. */
    public record Hop(String name, String meaning, long count, long negative, long p50, long p90, long p99,
                      long max) {
    }

    /** One kind of frame (PUSH, SEND_ACK) and its hops in path order. */
    public record Kind(String kind, List<Hop> hops) {
    }

    /** What one gate answered, or why it did not. */
    public record Result(URI url, List<Kind> kinds, String unavailable) {
        public boolean available() {
            return unavailable == null;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final List<URI> urls;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /** @param urls the gates' {@code /debug/hops} URLs; empty = no breakdown */
    public HopProbe(List<URI> urls, HttpClient http) {
        this.urls = List.copyOf(urls);
        this.http = http;
    }

    public boolean enabled() {
        return !urls.isEmpty();
    }

    /** Starts a new window on every gate (what was collected before is dropped). */
    public void reset() {
        for (URI url : urls) {
            get(url, true);
        }
    }

    /** The figures since {@link #reset}, per gate. */
    public List<Result> read() {
        List<Result> out = new ArrayList<>();
        for (URI url : urls) {
            out.add(get(url, false));
        }
        return out;
    }

    private Result get(URI url, boolean reset) {
        URI target = URI.create(url + (url.getQuery() == null ? "?" : "&") + "reset=" + reset);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(target).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new Result(url, List.of(), "HTTP " + response.statusCode() + ": " + response.body());
            }
            return new Result(url, parse(json.readTree(response.body())), null);
        } catch (IOException e) {
            return new Result(url, List.of(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(url, List.of(), "interrupted");
        }
    }

    static List<Kind> parse(JsonNode body) {
        List<Kind> kinds = new ArrayList<>();
        for (JsonNode k : body.path("kinds")) {
            List<Hop> hops = new ArrayList<>();
            for (JsonNode h : k.path("hops")) {
                hops.add(new Hop(h.path("hop").asText(), h.path("meaning").asText(), h.path("count").asLong(),
                        h.path("negative").asLong(), h.path("p50Us").asLong(), h.path("p90Us").asLong(),
                        h.path("p99Us").asLong(), h.path("maxUs").asLong()));
            }
            kinds.add(new Kind(k.path("kind").asText(), hops));
        }
        return kinds;
    }

    /** The breakdown as Markdown: one table per gate, hops as rows, PUSH and SEND_ACK side by side. */
    public static String markdown(List<Result> results) {
        StringBuilder md = new StringBuilder();
        for (Result r : results) {
            md.append("From `").append(r.url()).append("`");
            if (!r.available()) {
                md.append(": not available (").append(r.unavailable()).append(")\n\n");
                continue;
            }
            md.append(" (ms; each hop's own percentiles, so they do not add up to the total's):\n\n");
            md.append("| hop | what it spans |");
            for (Kind k : r.kinds()) {
                md.append(' ').append(k.kind()).append(" n | p50 | p90 | p99 | max |");
            }
            md.append("\n|---|---|");
            r.kinds().forEach(k -> md.append("---|---|---|---|---|"));
            md.append('\n');
            int rows = r.kinds().isEmpty() ? 0 : r.kinds().get(0).hops().size();
            for (int i = 0; i < rows; i++) {
                Hop first = r.kinds().get(0).hops().get(i);
                md.append("| ").append(first.name()).append(" | ").append(first.meaning()).append(" |");
                for (Kind k : r.kinds()) {
                    Hop h = k.hops().get(i);
                    md.append(String.format(Locale.ROOT, " %,d | %s | %s | %s | %s |", h.count(), ms(h.p50()),
                            ms(h.p90()), ms(h.p99()), ms(h.max())));
                }
                md.append('\n');
            }
            long negative = r.kinds().stream().flatMap(k -> k.hops().stream()).mapToLong(Hop::negative).sum();
            if (negative > 0) {
                md.append("\n").append(negative).append(" hop(s) ended before they began (clocks of different hosts)"
                        + " and count as 0.\n");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** One console line per gate: each hop's p50 / p99 of the PUSHes, in ms. */
    public static List<String> consoleLines(List<Result> results) {
        List<String> lines = new ArrayList<>();
        for (Result r : results) {
            if (!r.available()) {
                lines.add("hops: not available from " + r.url() + " (" + r.unavailable() + ")");
                continue;
            }
            for (Kind k : r.kinds()) {
                StringBuilder line = new StringBuilder("hops " + k.kind() + " p50/p99 ms:");
                for (Hop h : k.hops()) {
                    line.append(' ').append(h.name().toLowerCase(Locale.ROOT)).append(' ').append(ms(h.p50()))
                            .append('/').append(ms(h.p99()));
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, micros < 10_000 ? "%.2f" : "%.1f", micros / 1000.0);
    }
}
