package io.magpie.server.faults;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A logged-in raw TCP connection to one gate that measures PING -> PONG round trips: a gate answers
 * PING on the connection's event loop, so a slow PONG means a blocked event loop (e.g. a Kafka call
 * made on it while the broker is down). Its user has no conversations, so nothing else arrives.
 * Used from the test thread only.
 */
final class GateProbe implements AutoCloseable {

    private final String gate;
    private final Socket socket;
    private final FrameParser parser = new FrameParser(1 << 20);
    private final ByteBuf pending = Unpooled.buffer();
    private int requestId = 1;

    private GateProbe(String gate, Socket socket) {
        this.gate = gate;
        this.socket = socket;
    }

    /** Registers a probe user, logs it in on {@code gate} (its client TCP port from the LSB). */
    static GateProbe connect(ClusterHarness cluster, String gate, String username) throws IOException {
        ClientConfig config = ClientConfig.builder().accountApiUrl(cluster.accountApiUrl()).lsbUrl(cluster.lsbUrl())
                .deviceId(username + "-probe").platform(Platform.WEB).requestTimeout(Duration.ofSeconds(5)).build();
        AccountClient accounts = new AccountClient(config);
        accounts.register(username, ChatWorld.PASSWORD, username);
        Credentials credentials = accounts.login(username, ChatWorld.PASSWORD, username + "-probe", Platform.WEB);
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", cluster.gateTcpPort(gate)), 5_000);
        GateProbe probe = new GateProbe(gate, socket);
        probe.write(Frames.of(Command.LOGIN, probe.requestId++, LoginRequest.newBuilder()
                .setToken(credentials.token()).setClientVersion("gate-probe").build()));
        Frame ack = probe.awaitCommand(Command.LOGIN_ACK, Duration.ofSeconds(10));
        if (ack == null) {
            throw new IOException(gate + ": no LOGIN_ACK for the probe within 10 s");
        }
        return probe;
    }

    String gate() {
        return gate;
    }

    /** One PING; the time to its PONG, or null when none came within {@code timeout}. */
    Duration ping(Duration timeout) throws IOException {
        long t0 = System.nanoTime();
        write(Frames.of(Command.PING, requestId++, Ping.getDefaultInstance()));
        Frame pong = awaitCommand(Command.PONG, timeout);
        return pong == null ? null : Duration.ofNanos(System.nanoTime() - t0);
    }

    private Frame awaitCommand(Command command, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            Frame f = parser.next(pending);
            if (f != null) {
                if (f.command() == command.code()) {
                    return f;
                }
                continue; // anything else (an ERROR for an earlier request, a late PONG) is not the answer
            }
            if (parser.corrupt()) {
                throw new IOException(gate + ": the gate sent a corrupt frame to the probe");
            }
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            pending.discardReadBytes();
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                throw new IOException(gate + " closed the probe's connection");
            }
            pending.writeBytes(chunk, 0, n);
        }
    }

    private void write(Frame frame) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        FrameEncoder.writeTo(frame, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
