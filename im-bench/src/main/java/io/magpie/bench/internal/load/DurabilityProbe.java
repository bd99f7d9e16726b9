package io.magpie.bench.internal.load;

import io.magpie.bench.internal.report.Durability;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Reads the server's MySQL durability from its Prometheus {@code /metrics} (the logic role exports
 * {@code magpie_mysql_innodb_flush_log_at_trx_commit} and {@code magpie_mysql_sync_binlog}, read from MySQL at
 * its start). A URL that does not answer, or answers without the gauge, gives an unknown durability with the
 * reason: the run is still worth reporting, it just says so. Stateless.
 */
public final class DurabilityProbe {

    static final String FLUSH = "magpie_mysql_innodb_flush_log_at_trx_commit";
    static final String SYNC_BINLOG = "magpie_mysql_sync_binlog";

    private DurabilityProbe() {
    }

    /** GET {@code metricsUrl} (at most {@code timeout}) and read the two gauges. */
    public static Durability probe(HttpClient http, URI metricsUrl, Duration timeout) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metricsUrl).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Durability.unknown("GET " + metricsUrl + " answered HTTP " + response.statusCode());
            }
            return parse(response.body(), metricsUrl.toString());
        } catch (IOException e) {
            return Durability.unknown("GET " + metricsUrl + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Durability.unknown("GET " + metricsUrl + " interrupted");
        }
    }

    /** The gauges in a Prometheus text exposition; unknown when the flush gauge is absent. */
    public static Durability parse(String exposition, String source) {
        OptionalInt flush = gauge(exposition, FLUSH);
        if (flush.isEmpty()) {
            return Durability.unknown(source + " has no " + FLUSH + " (a server without it, or no logic role there)");
        }
        return new Durability(flush, gauge(exposition, SYNC_BINLOG), source);
    }

    /** The first sample of {@code name} ({@code name{labels} 2.0} or {@code name 2.0}), as an int. */
    static OptionalInt gauge(String exposition, String name) {
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (!rest.startsWith("{") && !rest.startsWith(" ")) {
                continue; // another metric whose name starts with this one
            }
            String value = line.substring(line.lastIndexOf(' ') + 1).trim();
            try {
                return OptionalInt.of((int) Double.parseDouble(value));
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }
}
