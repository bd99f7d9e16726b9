package io.magpie.server.faults;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.GateAddress;
import io.magpie.client.LsbClient;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device whose PUSH_ACKs are all lost: a raw TCP connection that logs in like the SDK but never
 * acknowledges a PUSH, so the gate's wait-ACK table resends every push (bounded, with backoff). It
 * records every pushed message as received, duplicates included, and keeps the session alive with
 * PINGs. The SDK has no switch to drop its acks, hence this device; deduplicating what it received
 * by (conversation, seq) is the verifier's job, standing in for the SDK's.
 *
 * <p>Reading runs on its own daemon thread; {@link #received()} is safe from any thread.
 */
final class SilentDevice implements AutoCloseable {

    private final ChatWorld.Account user;
    private final String deviceId;
    private final Socket socket;
    private final List<Message> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger requestIds = new AtomicInteger(1);
    private final FrameParser parser = new FrameParser(1 << 20);
    private final ByteBuf pending = Unpooled.buffer(); // read side, reader thread only (login before it)
    private final Thread reader;
    private final Thread pinger;
    private volatile boolean closed;
    private volatile String failure;

    private SilentDevice(ChatWorld.Account user, String deviceId, Socket socket) {
        this.user = user;
        this.deviceId = deviceId;
        this.socket = socket;
        this.reader = new Thread(this::readLoop, "silent-" + deviceId + "-read");
        this.pinger = new Thread(this::pingLoop, "silent-" + deviceId + "-ping");
        reader.setDaemon(true);
        pinger.setDaemon(true);
    }

    /** Logs {@code user} in as {@code deviceId} on the gate the LSB picks, and starts reading. */
    static SilentDevice connect(ClusterHarness cluster, ChatWorld.Account user, String deviceId) throws IOException {
        ClientConfig config = ClientConfig.builder().accountApiUrl(cluster.accountApiUrl()).lsbUrl(cluster.lsbUrl())
                .deviceId(deviceId).platform(Platform.WEB).requestTimeout(Duration.ofSeconds(5)).build();
        Credentials credentials = new AccountClient(config).login(user.username(), ChatWorld.PASSWORD, deviceId,
                Platform.WEB);
        GateAddress gate = new LsbClient(config).pickGate();
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(gate.host(), gate.tcpPort()), 5_000);
        socket.setSoTimeout(0);
        SilentDevice device = new SilentDevice(user, deviceId, socket);
        device.write(Frames.of(Command.LOGIN, device.requestIds.getAndIncrement(), LoginRequest.newBuilder()
                .setToken(credentials.token()).setClientVersion("silent-device").build()));
        device.awaitLoginAck();
        device.reader.start();
        device.pinger.start();
        return device;
    }

    ChatWorld.Account user() {
        return user;
    }

    String deviceId() {
        return deviceId;
    }

    /** Every message pushed so far, resends included, in arrival order. */
    List<Message> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Why reading stopped early (connection closed, bad frame), or null. */
    String failure() {
        return failure;
    }

    private void awaitLoginAck() throws IOException {
        socket.setSoTimeout(10_000);
        Frame f = read();
        socket.setSoTimeout(0);
        if (f == null) {
            throw new IOException(deviceId + ": the gate closed the connection instead of answering LOGIN");
        }
        if (f.command() == Command.ERROR.code()) {
            throw new IOException(deviceId + ": LOGIN refused: " + Frames.parse(f, Error.parser()));
        }
        if (f.command() != Command.LOGIN_ACK.code()) {
            throw new IOException(deviceId + ": expected LOGIN_ACK, got " + Command.nameOf(f.command()));
        }
    }

    private void readLoop() {
        try {
            Frame f;
            while ((f = read()) != null) {
                if (f.command() == Command.PUSH.code()) {
                    received.addAll(Frames.parse(f, Push.parser()).getMessagesList()); // and no PUSH_ACK, ever
                }
            }
            if (!closed) {
                failure = "the gate closed the connection";
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                failure = e.toString();
            }
        }
    }

    private void pingLoop() {
        while (!closed) {
            try {
                Thread.sleep(3_000);
                write(Frames.of(Command.PING, requestIds.getAndIncrement(), Ping.getDefaultInstance()));
            } catch (InterruptedException e) {
                return;
            } catch (UncheckedIOException e) {
                if (!closed) {
                    failure = e.toString();
                }
                return;
            }
        }
    }

    private Frame read() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            Frame f = parser.next(pending);
            if (f != null) {
                return f;
            }
            if (parser.corrupt()) {
                throw new IOException(deviceId + ": the gate sent a corrupt frame");
            }
            pending.discardReadBytes();
            int n = in.read(chunk);
            if (n < 0) {
                return null;
            }
            pending.writeBytes(chunk, 0, n);
        }
    }

    private synchronized void write(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        FrameEncoder.writeTo(frame, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(deviceId + ": write failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        pinger.interrupt();
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
