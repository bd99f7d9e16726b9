package io.magpie.gate;

import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A blocking client on a plain socket speaking the frame codec, for integration tests: what a
 * client developer's first prototype would do, with no gate code in between.
 */
final class RawTcpClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final FrameParser parser = new FrameParser(16 << 20);
    private final ByteBuf buffer = Unpooled.buffer();

    RawTcpClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    void send(Frame frame) throws IOException {
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.writeTo(frame, out);
        sendRaw(ByteBufBytes.of(out));
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** The next frame, or an AssertionError if none arrives within {@code timeout} or the peer closed. */
    Frame read(Duration timeout) throws IOException {
        Frame frame = readOrNull(timeout);
        if (frame == null) {
            throw new AssertionError("connection closed by the gate while a frame was expected");
        }
        return frame;
    }

    /** True when the gate closes the connection within {@code timeout} (frames before the close are skipped). */
    boolean closedWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (readOrNull(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))) == null) {
                    return true;
                }
            } catch (AssertionError timedOut) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    private Frame readOrNull(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] chunk = new byte[8192];
        while (true) {
            Frame frame = parser.next(buffer);
            if (frame != null) {
                buffer.discardReadBytes();
                return frame;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no frame within " + timeout.toMillis() + " ms");
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame within " + timeout.toMillis() + " ms", e);
            }
            if (n < 0) {
                return null;
            }
            buffer.writeBytes(chunk, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        buffer.release();
        socket.close();
    }

    /** Copies a buffer's readable bytes out and releases it. */
    static final class ByteBufBytes {
        private ByteBufBytes() {
        }

        static byte[] of(ByteBuf buf) {
            try {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                return bytes;
            } finally {
                buf.release();
            }
        }
    }
}
