package io.magpie.protocol.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Empty;
import com.google.protobuf.util.JsonFormat;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.codec.FrameDecoder;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.LoginRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/conformance/frames.json, the protocol's conformance vectors, against the real frame codec: each
 * vector's bytes decode to its command, request id and body (the body's proto3 JSON read with
 * protobuf's JsonFormat), and that meaning encodes to exactly its bytes. The file is the contract, so
 * this test reads it and never regenerates it.
 */
class ConformanceVectorsTest {

    static final Path FILE = Path.of("..", "docs", "conformance", "frames.json");
    private static final int MAX_BODY = 65_536;

    /** The body type of every client command (PROTOCOL.md §6); LOGOUT's body is empty. */
    static final Map<Command, String> BODY_TYPES = Map.ofEntries(
            Map.entry(Command.LOGIN, "magpie.v1.LoginRequest"), Map.entry(Command.LOGIN_ACK, "magpie.v1.LoginAck"),
            Map.entry(Command.PING, "magpie.v1.Ping"), Map.entry(Command.PONG, "magpie.v1.Pong"),
            Map.entry(Command.SEND, "magpie.v1.SendRequest"), Map.entry(Command.SEND_ACK, "magpie.v1.SendAck"),
            Map.entry(Command.PUSH, "magpie.v1.Push"), Map.entry(Command.PUSH_ACK, "magpie.v1.PushAck"),
            Map.entry(Command.SYNC, "magpie.v1.SyncRequest"), Map.entry(Command.SYNC_ACK, "magpie.v1.SyncAck"),
            Map.entry(Command.PULL, "magpie.v1.PullRequest"), Map.entry(Command.PULL_ACK, "magpie.v1.PullAck"),
            Map.entry(Command.READ, "magpie.v1.ReadRequest"), Map.entry(Command.READ_ACK, "magpie.v1.ActionAck"),
            Map.entry(Command.RECALL, "magpie.v1.MessageActionRequest"),
            Map.entry(Command.RECALL_ACK, "magpie.v1.ActionAck"),
            Map.entry(Command.DELETE, "magpie.v1.MessageActionRequest"),
            Map.entry(Command.DELETE_ACK, "magpie.v1.ActionAck"),
            Map.entry(Command.CLEAR, "magpie.v1.ClearRequest"), Map.entry(Command.CLEAR_ACK, "magpie.v1.ActionAck"),
            Map.entry(Command.KICK, "magpie.v1.Kick"), Map.entry(Command.RECONNECT, "magpie.v1.Reconnect"),
            Map.entry(Command.ERROR, "magpie.v1.Error"), Map.entry(Command.LOGOUT, "google.protobuf.Empty"),
            Map.entry(Command.NOTICE, "magpie.v1.Notice"), Map.entry(Command.TYPING, "magpie.v1.TypingRequest"),
            Map.entry(Command.GROUP, "magpie.v1.GroupRequest"), Map.entry(Command.GROUP_ACK, "magpie.v1.GroupAck"),
            Map.entry(Command.PRESENCE, "magpie.v1.PresenceRequest"),
            Map.entry(Command.PRESENCE_ACK, "magpie.v1.PresenceAck"),
            Map.entry(Command.REACT, "magpie.v1.ReactRequest"), Map.entry(Command.REACT_ACK, "magpie.v1.ReactAck"),
            Map.entry(Command.EDIT, "magpie.v1.EditRequest"), Map.entry(Command.EDIT_ACK, "magpie.v1.EditAck"));

    /** One vector as the file states it. */
    record Vector(String name, String description, byte[] bytes, String hex, int command, String commandName,
            long requestId, String bodyType, String bodyJson) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Vector> load() throws IOException {
        JsonArray all = JsonParser.parseString(Files.readString(FILE, StandardCharsets.UTF_8)).getAsJsonArray();
        List<Vector> vectors = new ArrayList<>();
        for (JsonElement e : all) {
            JsonObject o = e.getAsJsonObject();
            assertEquals(Set.of("name", "description", "hex", "command", "commandName", "requestId", "body"),
                    o.keySet(), "the keys of a vector");
            JsonObject body = o.getAsJsonObject("body");
            assertEquals(Set.of("type", "json"), body.keySet(), "the keys of a vector's body");
            String hex = o.get("hex").getAsString();
            vectors.add(new Vector(o.get("name").getAsString(), o.get("description").getAsString(),
                    ByteBufUtil.decodeHexDump(hex), hex, o.get("command").getAsInt(),
                    o.get("commandName").getAsString(), o.get("requestId").getAsLong(), body.get("type").getAsString(),
                    body.get("json").toString()));
        }
        return vectors;
    }

    static Stream<Vector> vectors() throws IOException {
        return load().stream();
    }

    private static Descriptor descriptor(String type) {
        if (type.equals(Empty.getDescriptor().getFullName())) {
            return Empty.getDescriptor();
        }
        assertTrue(type.startsWith("magpie.v1."), type);
        Descriptor d = LoginRequest.getDescriptor().getFile().findMessageTypeByName(type.substring("magpie.v1.".length()));
        assertNotNull(d, "no message " + type + " in client.proto");
        return d;
    }

    /** The body the vector's JSON means, read with JsonFormat (unknown JSON fields refused). */
    static DynamicMessage meaning(Vector v) throws IOException {
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(descriptor(v.bodyType()));
        JsonFormat.parser().merge(v.bodyJson(), builder);
        return builder.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void theBytesDecodeToTheVectorsMeaning(Vector v) throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
        channel.writeInbound(Unpooled.wrappedBuffer(v.bytes()));
        Frame frame = channel.readInbound();
        assertNotNull(frame, v.name() + ": the decoder produced no frame");
        assertFalse(channel.finishAndReleaseAll(), "one frame, nothing left over");

        assertEquals(v.command(), frame.command());
        assertEquals(v.commandName(), Command.nameOf(frame.command()));
        assertEquals(v.requestId(), Integer.toUnsignedLong(frame.requestId()));
        assertEquals(0, frame.flags());
        DynamicMessage expected = meaning(v);
        assertEquals(expected, DynamicMessage.parseFrom(descriptor(v.bodyType()), frame.body()),
                "the body bytes parse to body.json");
        assertEquals(BODY_TYPES.get(Command.fromCode(v.command()).orElseThrow()), v.bodyType(),
                "the command's body type (PROTOCOL.md §6)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void theMeaningEncodesToExactlyTheBytes(Vector v) throws IOException {
        assertEquals(v.hex().toLowerCase(java.util.Locale.ROOT), v.hex(), "hex is lowercase");
        byte[] body = meaning(v).toByteArray();
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        channel.writeOutbound(new Frame(v.command(), (int) v.requestId(), 0, body));
        ByteBuf out = channel.readOutbound();
        try {
            assertEquals(v.hex(), ByteBufUtil.hexDump(out));
        } finally {
            out.release();
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(v.bytes(), Frame.HEADER_BYTES, v.bytes().length), body,
                "the body is the canonical protobuf encoding of body.json");
    }

    @Test
    void allVectorsBackToBackDecodeInOrderFedOneByteAtATime() throws IOException {
        List<Vector> all = load();
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
        for (Vector v : all) {
            for (byte b : v.bytes()) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
        }
        for (Vector v : all) {
            Frame frame = channel.readInbound();
            assertNotNull(frame, v.name());
            assertEquals(v.command(), frame.command(), v.name());
            assertEquals(v.bytes().length - Frame.HEADER_BYTES, frame.body().length, v.name());
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void coverEveryClientCommandAndTheDocumentedEdgeCases() throws IOException {
        List<Vector> all = load();
        Set<String> names = new HashSet<>();
        EnumSet<Command> covered = EnumSet.noneOf(Command.class);
        for (Vector v : all) {
            assertTrue(names.add(v.name()), "names are unique: " + v.name());
            assertTrue(v.name().matches("[a-z0-9_]+"), v.name());
            assertFalse(v.description().isBlank(), v.name());
            covered.add(Command.fromCode(v.command()).orElseThrow());
        }
        EnumSet<Command> client = EnumSet.noneOf(Command.class);
        for (Command c : Command.values()) {
            if (!c.internal()) {
                client.add(c);
            }
        }
        assertEquals(client, covered, "every command of the client protocol has a vector");
        assertEquals(BODY_TYPES.keySet(), client, "every client command has a documented body type");
        assertTrue(all.stream().anyMatch(v -> v.bodyJson().contains("\"9007199254740993\"")),
                "an int64 above 2^53");
        assertTrue(all.stream().anyMatch(v -> v.bytes().length == Frame.HEADER_BYTES), "an empty body");
        assertTrue(all.stream().anyMatch(v -> v.bodyJson().chars().anyMatch(c -> c > 0x7f)), "non-ASCII text");
    }
}
