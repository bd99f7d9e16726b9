package io.magpie.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a raw socket, the way an attacker (tools/probe) speaks it; for tests of our listeners. */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * Sends {@code path} a chunked body that never ends and asserts the server refused it with 413
     * {@code PAYLOAD_TOO_LARGE} or closed the connection, long before 64 MiB were taken.
     */
    public static void assertEndlessBodyRefused(int port, String path) throws IOException {
        String answer = endlessChunkedPost(port, path, 64L << 20);
        if (!answer.isEmpty() && !(answer.startsWith("HTTP/1.1 413") && answer.contains("\"code\":\"PAYLOAD_TOO_LARGE\""))) {
            throw new AssertionError("an endless chunked body to " + path + " must be refused with 413"
                    + " PAYLOAD_TOO_LARGE or closed; got: " + answer);
        }
    }

    /**
     * POSTs a chunked body of 1 MiB chunks that never ends (up to {@code maxBytes}, a guard), stopping
     * when the server closes; then returns what the server answered ("" for a close without an answer).
     * A server that buffers the body never answers: the read times out and the test fails.
     */
    public static String endlessChunkedPost(int port, String path, long maxBytes) throws IOException {
        byte[] chunk = ("100000\r\n" + "a".repeat(1 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (long sent = 0; sent < maxBytes; sent += 1 << 20) {
                    out.write(chunk);
                }
            } catch (IOException closedByServer) {
                // expected: the server stopped taking the body
            }
            return readAll(socket.getInputStream());
        }
    }

    public static String request(int port, String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.US_ASCII));
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                got.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // the server neither answered nor closed: it is still taking (and maybe buffering) the body
            throw new AssertionError("no answer and no close within 30 s; got so far: " + got, e);
        } catch (IOException reset) {
            // a reset after (or instead of) the answer: keep what arrived
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    public static String statusLine(String answer) {
        int end = answer.indexOf("\r\n");
        return end < 0 ? answer : answer.substring(0, end);
    }
}
