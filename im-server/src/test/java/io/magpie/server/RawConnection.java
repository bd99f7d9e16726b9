package io.magpie.server;

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

/** A blocking socket that speaks frames, for tests that must send what no SDK would. */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final FrameParser parser = new FrameParser(1 << 20);
    private final ByteBuf pending = Unpooled.buffer();

    RawConnection(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
    }

    void send(Frame frame) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        FrameEncoder.writeTo(frame, buf);
        sendBytes(ByteBufBytes.of(buf));
    }

    void sendBytes(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** The next frame, or null when the server closed the connection. */
    Frame read() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            Frame f = parser.next(pending);
            if (f != null) {
                return f;
            }
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame and no close from the server within 15 s", e);
            }
            if (n < 0) {
                return null;
            }
            pending.writeBytes(chunk, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static final class ByteBufBytes {
        static byte[] of(ByteBuf buf) {
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            return b;
        }
    }
}
