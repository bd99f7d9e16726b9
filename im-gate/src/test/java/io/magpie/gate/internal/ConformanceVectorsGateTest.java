package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.magpie.gate.DevicePolicy;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameParser;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.registry.ActiveSessions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client-to-server vectors of docs/conformance/frames.json, as bytes, through the gate's real client
 * stages (decoder, login, rate limits, upstream, PUSH_ACK, errors): the LOGIN vector logs in (its token is
 * signed with PROTOCOL.md §4.1's example secret), every request reaches logic with its exact body and
 * request id, PING is answered, PUSH_ACK is taken silently, and LOGOUT closes. Nothing is refused.
 */
class ConformanceVectorsGateTest {

    private static final Path FILE = Path.of("..", "docs", "conformance", "frames.json");
    private static final byte[] EXAMPLE_SECRET = "magpie-example-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final EnumSet<Command> TO_LOGIC = EnumSet.of(Command.SEND, Command.SYNC, Command.PULL,
            Command.READ, Command.RECALL, Command.DELETE, Command.CLEAR, Command.TYPING, Command.GROUP,
            Command.PRESENCE);
    private static final EnumSet<Command> CLIENT_TO_SERVER = EnumSet.of(Command.LOGIN, Command.PING,
            Command.PUSH_ACK, Command.LOGOUT, Command.SEND, Command.SYNC, Command.PULL, Command.READ, Command.RECALL,
            Command.DELETE, Command.CLEAR, Command.TYPING, Command.GROUP, Command.PRESENCE);

    private record Vector(String name, Command command, long requestId, byte[] bytes) {
        byte[] body() {
            return Arrays.copyOfRange(bytes, Frame.HEADER_BYTES, bytes.length);
        }
    }

    private static List<Vector> clientVectors() throws IOException {
        List<Vector> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(FILE, StandardCharsets.UTF_8)).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            Command command = Command.valueOf(o.get("commandName").getAsString());
            if (CLIENT_TO_SERVER.contains(command)) {
                out.add(new Vector(o.get("name").getAsString(), command, o.get("requestId").getAsLong(),
                        ByteBufUtil.decodeHexDump(o.get("hex").getAsString())));
            }
        }
        return out;
    }

    @Test
    void everyClientVectorIsTakenByTheGatesRealPipeline() throws IOException {
        List<Vector> vectors = clientVectors();
        EnumSet<Command> seen = EnumSet.noneOf(Command.class);
        vectors.forEach(v -> seen.add(v.command()));
        assertEquals(CLIENT_TO_SERVER, seen, "the file has a vector of every client-to-server command");

        LoginHarness gate = new LoginHarness(DevicePolicy.MULTI_DEVICE, EXAMPLE_SECRET);
        LoginServices services = new LoginServices(LoginHarness.GATE, gate.config.loginTimeout(), 30, gate.clock,
                gate.tokens, gate.connectionIds::incrementAndGet, gate.sessionRoutes, gate.kicker,
                // the example token's session 4242 is the device's current one
                DevicePolicy.MULTI_DEVICE, ActiveSessions.answering(ActiveSessions.Status.CURRENT));
        EmbeddedChannel channel = new EmbeddedChannel();
        new ClientPipeline(gate.config, gate.clock, gate.ticker, gate.upstream, services)
                .addClientStages(channel.pipeline(), "tcp");
        Vector login = vectors.stream().filter(v -> v.command() == Command.LOGIN).findFirst().orElseThrow();
        feed(channel, login);
        Frame ack = single(channel, login);
        assertEquals(Command.LOGIN_ACK.code(), ack.command(), login.name() + ": " + ack);
        assertEquals(login.requestId(), Integer.toUnsignedLong(ack.requestId()));
        LoginAck loginAck = LoginAck.parseFrom(ack.body());
        assertEquals(10001, loginAck.getUid());
        assertEquals("phone-1", loginAck.getDeviceId());

        Vector logout = null;
        for (Vector v : vectors) {
            if (v.command() == Command.LOGIN) {
                continue;
            }
            if (v.command() == Command.LOGOUT) {
                logout = v;
                continue;
            }
            int published = gate.upstream.published.size();
            feed(channel, v);
            if (TO_LOGIC.contains(v.command())) {
                assertNull(outbound(channel), v.name() + ": no answer from the gate itself (logic answers)");
                assertEquals(published + 1, gate.upstream.published.size(), v.name() + " reaches logic");
                UpstreamEnvelope env = gate.upstream.published.get(published).getValue();
                assertEquals(v.command().code(), env.getCommand(), v.name());
                assertEquals(v.requestId(), Integer.toUnsignedLong(env.getRequestId()), v.name());
                assertEquals(10001, env.getUid(), v.name());
                assertArrayEquals(v.body(), env.getBody().toByteArray(), v.name() + ": the body as received");
            } else if (v.command() == Command.PING) {
                Frame pong = single(channel, v);
                assertEquals(Command.PONG.code(), pong.command(), v.name() + ": " + pong);
                assertEquals(v.requestId(), Integer.toUnsignedLong(pong.requestId()), v.name());
            } else {
                assertEquals(Command.PUSH_ACK, v.command());
                assertNull(outbound(channel), v.name() + ": PUSH_ACK has no answer");
            }
            assertTrue(channel.isOpen(), v.name());
        }
        assertNotNull(logout);
        feed(channel, logout);
        channel.runPendingTasks();
        assertFalse(channel.isOpen(), "LOGOUT closes the connection");
    }

    private static void feed(EmbeddedChannel channel, Vector v) {
        channel.writeInbound(Unpooled.wrappedBuffer(v.bytes()));
        channel.runPendingTasks();
    }

    private static Frame single(EmbeddedChannel channel, Vector v) {
        Frame frame = outbound(channel);
        assertNotNull(frame, v.name() + ": an answer");
        assertNull(outbound(channel), v.name() + ": one answer only");
        return frame;
    }

    private static Frame outbound(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        if (buf == null) {
            return null;
        }
        try {
            return new FrameParser(1 << 20).next(buf);
        } finally {
            buf.release();
        }
    }
}
