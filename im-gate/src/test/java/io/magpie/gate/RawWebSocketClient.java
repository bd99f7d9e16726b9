package io.magpie.gate;

import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The JDK's WebSocket client carrying frames in binary messages, as a browser client would. */
final class RawWebSocketClient implements AutoCloseable {

    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    RawWebSocketClient(URI uri) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri, new Listener())
                .get(10, TimeUnit.SECONDS);
    }

    void send(Frame frame) throws Exception {
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.writeTo(frame, out);
        socket.sendBinary(ByteBuffer.wrap(RawTcpClient.ByteBufBytes.of(out)), true).get(5, TimeUnit.SECONDS);
    }

    Frame read(Duration timeout) throws InterruptedException {
        Frame frame = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no frame over WebSocket within " + timeout.toMillis() + " ms");
        }
        return frame;
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final FrameParser parser = new FrameParser(16 << 20);
        private final ByteBuf buffer = Unpooled.buffer();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            buffer.writeBytes(data);
            for (Frame frame = parser.next(buffer); frame != null; frame = parser.next(buffer)) {
                received.add(frame);
            }
            buffer.discardReadBytes();
            webSocket.request(1);
            return null;
        }
    }
}
