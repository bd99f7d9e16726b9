package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopProbeTest {

    private static final String BODY = """
            {"sinceEpochMillis":1,"untilEpochMillis":2,"kinds":[
             {"kind":"SEND_ACK","hops":[{"hop":"UPSTREAM","meaning":"gate -> logic","count":3,"negative":0,"meanUs":1.0,
               "p50Us":1868,"p90Us":4799,"p99Us":8839,"p999Us":9000,"maxUs":47999}]},
             {"kind":"PUSH","hops":[{"hop":"UPSTREAM","meaning":"gate -> logic","count":3,"negative":1,"meanUs":1.0,
               "p50Us":1900,"p90Us":4800,"p99Us":12063,"p999Us":13000,"maxUs":27551}]}]}
            """;

    @Test
    void theGatesAnswerBecomesATablePerGateAndAConsoleLinePerKind() throws Exception {
        List<HopProbe.Kind> kinds = HopProbe.parse(new ObjectMapper().readTree(BODY));
        List<HopProbe.Result> results = List.of(new HopProbe.Result(URI.create("http://g1/debug/hops"), kinds, null));

        String md = HopProbe.markdown(results);
        assertTrue(md.contains("| UPSTREAM | gate -> logic | 3 | 1.87 | 4.80 | 8.84 | 48.0 | 3 | 1.90 | 4.80 | 12.1 | 27.6 |"),
                md);
        assertTrue(md.contains("1 hop(s) ended before they began"), md);
        assertEquals(List.of("hops SEND_ACK p50/p99 ms: upstream 1.87/8.84", "hops PUSH p50/p99 ms: upstream 1.90/12.1"),
                HopProbe.consoleLines(results));
    }

    @Test
    void resetAndReadAskTheGateAndAGateThatDoesNotAnswerOnlyMakesTheBreakdownUnavailable() throws Exception {
        List<String> queries = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug/hops", exchange -> {
            queries.add(exchange.getRequestURI().getQuery());
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI up = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/debug/hops");
            URI down = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/nothing");
            HopProbe probe = new HopProbe(List.of(up, down), HttpClient.newHttpClient());
            probe.reset();
            List<HopProbe.Result> results = probe.read();
            assertEquals(List.of("reset=true", "reset=false"), queries);
            assertTrue(results.get(0).available());
            assertEquals(2, results.get(0).kinds().size());
            assertFalse(results.get(1).available());
            assertTrue(results.get(1).unavailable().startsWith("HTTP 404"), results.get(1).unavailable());
        } finally {
            server.stop(0);
        }
    }
}
