package io.magpie.engines.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Minimal RESP over a plain socket to the embedded (password-less, loopback) Redis: a readiness
 * probe that needs no client library start-up.
 */
final class RedisPing {

    private static final int TIMEOUT_MS = 500;

    private RedisPing() {
    }

    /** True when a server on 127.0.0.1:port answers PING with PONG. */
    static boolean ping(int port) {
        try (Socket socket = connect(port)) {
            return "+PONG".equals(command(socket, "PING").readLine());
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code redis_version} from {@code INFO server}. */
    static String serverVersion(int port) {
        try (Socket socket = connect(port)) {
            BufferedReader reader = command(socket, "INFO server");
            String header = reader.readLine();
            if (header == null || !header.startsWith("$")) {
                throw new IOException("unexpected INFO reply " + header);
            }
            String line;
            while ((line = reader.readLine()) != null && !line.isEmpty()) {
                if (line.startsWith("redis_version:")) {
                    return line.substring("redis_version:".length()).trim();
                }
            }
            return "unknown";
        } catch (IOException e) {
            throw new UncheckedIOException("INFO server on port " + port + " failed", e);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static BufferedReader command(Socket socket, String inline) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII));
    }
}
