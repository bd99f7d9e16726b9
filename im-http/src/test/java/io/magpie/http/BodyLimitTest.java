package io.magpie.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.magpie.http.RawHttp.endlessChunkedPost;
import static io.magpie.http.RawHttp.request;
import static io.magpie.http.RawHttp.statusLine;

import io.javalin.Javalin;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Javalin server with the body limit, attacked over a raw socket the way the probe does
 * (tools/probe/repro/repro_chunked_single.py): the limit holds with and without Content-Length, and the
 * server keeps serving.
 */
class BodyLimitTest {

    private static final int LIMIT = 4096;

    private final AtomicLong largestBodyRead = new AtomicLong();
    private Javalin app;

    @BeforeEach
    void start() {
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            BodyLimit.install(cfg, LIMIT);
        });
        app.post("/echo", ctx -> {
            byte[] body = ctx.bodyAsBytes();
            largestBodyRead.accumulateAndGet(body.length, Math::max);
            ctx.result("read " + body.length);
        });
        // a catch-all like the account API's: the limit must still answer 413, not 500
        app.exception(Exception.class, (e, ctx) -> ctx.status(500).result("INTERNAL " + e));
        app.get("/ping", ctx -> ctx.result("pong"));
        app.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void anEndlessChunkedBodyIsRefusedAtTheLimitAndTheServerKeepsServing() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            String answer = endlessChunkedPost(app.port(), "/echo", 64L << 20);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 413"),
                    "refused with 413 or closed, got: " + answer);
            if (!answer.isEmpty()) {
                assertTrue(answer.contains("\"code\":\"PAYLOAD_TOO_LARGE\""), answer);
                assertTrue(answer.contains("limit of " + LIMIT + " bytes"), answer);
            }
            assertEquals("HTTP/1.1 200 OK", statusLine(request(app.port(), "GET /ping HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n")), "the server still answers");
        }
        assertEquals(0, largestBodyRead.get(), "no over-limit body ever reached the route whole");
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() throws Exception {
        // the first part of the body only (Jetty dispatches once content arrives); the rest never comes
        String answer = request(app.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (LIMIT + 1)
                + "\r\n\r\n" + "x".repeat(1024));
        assertEquals("HTTP/1.1 413 Payload Too Large", statusLine(answer));
        assertTrue(answer.contains("\"code\":\"PAYLOAD_TOO_LARGE\""), answer);
        assertTrue(answer.contains((LIMIT + 1) + " bytes (Content-Length)"), answer);
    }

    @Test
    void bodiesUpToTheLimitAreServedWithOrWithoutContentLength() throws Exception {
        String body = "x".repeat(LIMIT);
        String declared = request(app.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: " + LIMIT + "\r\n\r\n" + body);
        assertEquals("HTTP/1.1 200 OK", statusLine(declared));
        assertTrue(declared.endsWith("read " + LIMIT), declared);

        String chunked = request(app.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(LIMIT) + "\r\n" + body + "\r\n0\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK", statusLine(chunked));
        assertTrue(chunked.endsWith("read " + LIMIT), chunked);

        String oneOver = request(app.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(LIMIT + 1) + "\r\n" + body + "y\r\n0\r\n\r\n");
        assertEquals("HTTP/1.1 413 Payload Too Large", statusLine(oneOver));
    }

    @Test
    void anUploadPathTakesItsLargerLimitAndEveryOtherPathKeepsTheServers() throws Exception {
        int larger = 3 * LIMIT;
        Javalin upload = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            BodyLimit.install(cfg, LIMIT, java.util.Map.of("/upload", (long) larger));
        });
        upload.post("/upload", ctx -> ctx.result("read " + ctx.req().getInputStream().readAllBytes().length));
        upload.post("/echo", ctx -> ctx.result("read " + ctx.req().getInputStream().readAllBytes().length));
        upload.start("127.0.0.1", 0);
        try {
            String body = "x".repeat(larger);
            String declared = request(upload.port(), "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Content-Length: " + larger + "\r\n\r\n" + body);
            assertTrue(declared.endsWith("read " + larger), declared);
            String over = request(upload.port(), "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (larger + 1)
                    + "\r\n\r\n" + "x".repeat(1024));
            assertEquals("HTTP/1.1 413 Payload Too Large", statusLine(over));
            assertTrue(over.contains("limit of " + larger + " bytes"), over);
            String chunkedOver = request(upload.port(), "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(larger + 1) + "\r\n" + body
                    + "y\r\n0\r\n\r\n");
            assertEquals("HTTP/1.1 413 Payload Too Large", statusLine(chunkedOver));
            String elsewhere = request(upload.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + (LIMIT + 1) + "\r\n\r\n" + "x".repeat(1024));
            assertEquals("HTTP/1.1 413 Payload Too Large", statusLine(elsewhere), "only /upload is larger");
        } finally {
            upload.stop();
        }
    }

    @Test
    void aLimitBelowOneByteIsRefusedNamingIt() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Javalin.create(cfg -> BodyLimit.install(cfg, 0)));
        assertTrue(e.getMessage().contains("at least 1 byte, got 0"), e.getMessage());
    }
}
