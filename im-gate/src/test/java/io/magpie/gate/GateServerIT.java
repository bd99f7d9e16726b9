package io.magpie.gate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateRegistry;
import io.magpie.registry.GateState;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import io.netty.channel.epoll.Epoll;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A gate on real Redis and Kafka, driven by raw TCP and WebSocket clients and a raw router connection. */
@ExtendWith(InfrastructureExtension.class)
class GateServerIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Short for the test that waits for it; other gates keep the default so a busy machine passes. */
    private static final Duration SHORT_LOGIN_TIMEOUT = Duration.ofMillis(500);
    private static final byte[] SECRET = "gate-it-secret-gate-it-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    private static RedisStore redis;
    private static RouteTable routes;
    private static GateRegistry registry;
    private static Topics topics;
    private static KafkaProducer<String, byte[]> producer;
    private static String bootstrap;
    private static TokenCodec tokens;
    private static GateServer gate;

    @BeforeAll
    static void startGate(Infrastructure infra, TestIsolation isolation) {
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
        routes = new RedisRouteTable(redis);
        registry = new RedisGateRegistry(redis, Duration.ofSeconds(10));
        topics = new Topics(isolation.topicPrefix());
        bootstrap = infra.kafkaBootstrap();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            topics.ensure(admin, 2);
        }
        producer = new KafkaProducer<>(GateProducers.config(bootstrap));
        tokens = new TokenCodec(SECRET, Clock.systemUTC());
        gate = newGate(GateConfig.builder()).start();
    }

    @AfterAll
    static void stopGate() {
        if (gate != null) {
            gate.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static GateServer newGate(GateConfig.Builder settings) {
        GateConfig config = settings
                .bindAddress("127.0.0.1")
                .tcpPort(0).wsPort(0).internalPort(0)
                .registryRefresh(Duration.ofMillis(300))
                .build();
        return new GateServer(config, routes, registry, producer, topics, tokens, Clock.systemUTC());
    }

    private static Frame login(long uid, String device) {
        String token = tokens.issue(new TokenClaims(uid, device, Platform.ANDROID,
                System.currentTimeMillis() + 3_600_000));
        return Frames.of(Command.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build());
    }

    private static RawTcpClient loggedIn(GateServer server, long uid, String device) throws Exception {
        RawTcpClient client = new RawTcpClient(server.tcpPort());
        client.send(login(uid, device));
        Frame ack = client.read(WAIT);
        assertEquals(Command.LOGIN_ACK.code(), ack.command(), () -> "expected LOGIN_ACK, got " + ack);
        return client;
    }

    private static List<Route> routesOf(long uid) throws Exception {
        return routes.lookup(List.of(uid)).get().get(uid);
    }

    @Test
    void tcpLoginRegistersTheRouteAndTheGateIsInTheRegistry() throws Exception {
        try (RawTcpClient client = new RawTcpClient(gate.tcpPort())) {
            client.send(login(1001, "phone"));
            Frame ack = client.read(WAIT);
            assertEquals(Command.LOGIN_ACK.code(), ack.command());
            LoginAck body = LoginAck.parseFrom(ack.body());
            assertEquals(1001, body.getUid());
            assertEquals(gate.gateId(), body.getGateId());
            assertEquals(30, body.getHeartbeatSeconds());

            List<Route> stored = routesOf(1001);
            assertEquals(1, stored.size());
            assertEquals(gate.gateId(), stored.get(0).gateId());
            assertEquals("phone", stored.get(0).deviceId());
            assertEquals("ANDROID", stored.get(0).platform());

            GateInfo info = registry.find(gate.gateId()).get().orElseThrow();
            assertEquals(GateState.ACTIVE, info.state());
            assertEquals("127.0.0.1", info.host());
            assertEquals(gate.tcpPort(), info.tcpPort());
            assertEquals(gate.wsPort(), info.wsPort());
            assertEquals(gate.internalPort(), info.internalPort());
            await().atMost(WAIT).until(() -> registry.find(gate.gateId()).get().orElseThrow().connections() >= 1);
        }
    }

    @Test
    void sendIsProducedToUpstreamWithTheSessionUidKeyedByConversation() throws Exception {
        try (KafkaConsumer<String, byte[]> upstream = consumer(topics.upstream());
             RawTcpClient client = loggedIn(gate, 1002, "phone")) {
            SendRequest send = SendRequest.newBuilder()
                    .setClientMsgId("it-send-1")
                    .setConversationType(ConversationType.SINGLE)
                    .setTargetId(1003)
                    .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hello"))
                    .build();
            client.send(Frames.of(Command.SEND, 21, send));

            // the login's PRESENCE_EVENT (key u_1002) may come first
            ConsumerRecord<String, byte[]> record = awaitRecord(upstream,
                    r -> parseEnvelope(r.value()).getUid() == 1002
                            && parseEnvelope(r.value()).getCommand() == Command.SEND.code());
            assertEquals("s_1002_1003", record.key());
            UpstreamEnvelope envelope = parseEnvelope(record.value());
            assertEquals(gate.gateId(), envelope.getGateId());
            assertEquals("phone", envelope.getDeviceId());
            assertEquals(21, envelope.getRequestId());
            assertEquals(Command.SEND.code(), envelope.getCommand());
            assertEquals("s_1002_1003", envelope.getConversationId());
            assertEquals(routesOf(1002).get(0).connectionId(), envelope.getConnectionId());
            assertArrayEquals(send.toByteArray(), envelope.getBody().toByteArray());
        }
    }

    @Test
    void secondLoginOfTheSameDeviceOnTheSameGateKicksTheFirst() throws Exception {
        try (RawTcpClient first = loggedIn(gate, 1004, "tablet")) {
            long firstConnection = routesOf(1004).get(0).connectionId();
            try (RawTcpClient second = loggedIn(gate, 1004, "tablet")) {
                Frame kick = first.read(WAIT);
                assertEquals(Command.KICK.code(), kick.command());
                assertEquals(KickReason.DUPLICATE_DEVICE, Kick.parseFrom(kick.body()).getReason());
                assertTrue(first.closedWithin(WAIT), "the kicked connection is closed");

                List<Route> stored = routesOf(1004);
                assertEquals(1, stored.size());
                assertNotEquals(firstConnection, stored.get(0).connectionId(), "the route is the newer connection's");
                second.send(Frames.of(Command.PING, 2, Ping.getDefaultInstance()));
                assertEquals(Command.PONG.code(), second.read(WAIT).command());
            }
        }
    }

    @Test
    void connectionThatNeverLogsInGetsLoginTimeoutAndIsClosed() throws Exception {
        try (GateServer strict = newGate(GateConfig.builder().loginTimeout(SHORT_LOGIN_TIMEOUT)).start();
             RawTcpClient client = new RawTcpClient(strict.tcpPort())) {
            Frame frame = client.read(WAIT);
            assertEquals(Command.ERROR.code(), frame.command());
            assertEquals(ErrorCode.LOGIN_TIMEOUT.code(), Error.parseFrom(frame.body()).getCode());
            assertTrue(client.closedWithin(WAIT));
        }
    }

    @Test
    void aSilentLoggedInConnectionIsClosedByTheIdleSweepAndAPingingOneIsNot() throws Exception {
        // heartbeat 1 s x 2 missed: silent for 2 s, swept every 333 ms
        try (GateServer quick = newGate(GateConfig.builder().heartbeatInterval(Duration.ofSeconds(1))
                .maxMissedHeartbeats(2)).start();
             RawTcpClient silent = loggedIn(quick, 1011, "silent");
             RawTcpClient pinging = loggedIn(quick, 1012, "pinging")) {
            for (int i = 0; i < 6; i++) {
                Thread.sleep(500);
                pinging.send(Frames.of(Command.PING, 10 + i, Ping.getDefaultInstance()));
                assertEquals(Command.PONG.code(), pinging.read(WAIT).command());
                if (i == 1) {
                    assertFalse(silent.closedWithin(Duration.ofMillis(100)), "silent for ~1 s: still open");
                }
            }
            assertTrue(silent.closedWithin(WAIT), "nothing sent for 2 s: closed (by 2.33 s)");
            pinging.send(Frames.of(Command.PING, 30, Ping.getDefaultInstance()));
            assertEquals(Command.PONG.code(), pinging.read(WAIT).command(), "a PING every 500 ms keeps it open");
        }
    }

    @Test
    void theNioTransportServesTcpAndWebSocketLikeEpoll() throws Exception {
        try (GateServer nio = newGate(GateConfig.builder().transport(GateTransport.NIO)).start();
             RawTcpClient tcp = loggedIn(nio, 1013, "phone")) {
            tcp.send(Frames.of(Command.PING, 2, Ping.getDefaultInstance()));
            assertEquals(Command.PONG.code(), tcp.read(WAIT).command());
            URI uri = URI.create("ws://127.0.0.1:" + nio.wsPort() + nio.config().wsPath());
            try (RawWebSocketClient ws = new RawWebSocketClient(uri)) {
                ws.send(login(1014, "browser"));
                assertEquals(Command.LOGIN_ACK.code(), ws.read(WAIT).command());
            }
        }
        assertEquals(Epoll.isAvailable() ? GateTransport.EPOLL : GateTransport.NIO, GateTransport.AUTO.resolve(),
                "auto: epoll where it loads");
    }

    @Test
    void badMagicClosesThatConnectionOnlyAndOthersStillGetPong() throws Exception {
        try (RawTcpClient good = loggedIn(gate, 1005, "phone");
             RawTcpClient bad = new RawTcpClient(gate.tcpPort())) {
            bad.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Frame error = bad.read(WAIT);
            assertEquals(Command.ERROR.code(), error.command());
            assertEquals(ErrorCode.BAD_MAGIC.code(), Error.parseFrom(error.body()).getCode());
            assertTrue(bad.closedWithin(WAIT));

            good.send(Frames.of(Command.PING, 3, Ping.getDefaultInstance()));
            Frame pong = good.read(WAIT);
            assertEquals(Command.PONG.code(), pong.command());
            assertEquals(3, pong.requestId());
        }
    }

    @Test
    void loginOverWebSocketWorksLikeTcp() throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + gate.wsPort() + gate.config().wsPath());
        try (RawWebSocketClient client = new RawWebSocketClient(uri)) {
            client.send(login(1006, "browser"));
            Frame ack = client.read(WAIT);
            assertEquals(Command.LOGIN_ACK.code(), ack.command());
            assertEquals(1006, LoginAck.parseFrom(ack.body()).getUid());
            assertEquals("browser", routesOf(1006).get(0).deviceId());

            client.send(Frames.of(Command.PING, 4, Ping.getDefaultInstance()));
            assertEquals(Command.PONG.code(), client.read(WAIT).command());
        }
    }

    @Test
    void gatePushOnTheInternalPortReachesTheClientAndIsAcked() throws Exception {
        try (RawTcpClient client = loggedIn(gate, 1007, "phone");
             RawTcpClient router = RouterLinks.open(gate)) {
            long connectionId = routesOf(1007).get(0).connectionId();
            Push push = Push.newBuilder().addMessages(Message.newBuilder()
                    .setMsgId(9001).setConversationId("s_1007_2000").setSeq(1).setSenderUid(2000)
                    .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hi"))).build();
            router.send(Frames.of(Command.GATE_PUSH, 9, GatePush.newBuilder()
                    .addConnections(ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(1007))
                    .addConnections(ConnectionRef.newBuilder().setConnectionId(999_999).setUid(1007))
                    .setCommand(Command.PUSH.code())
                    .setRequestId(55)
                    .setBody(push.toByteString())
                    .build()));

            Frame delivered = client.read(WAIT);
            assertEquals(Command.PUSH.code(), delivered.command());
            assertEquals(55, delivered.requestId());
            assertEquals(push, Push.parseFrom(delivered.body()));

            Frame ack = router.read(WAIT);
            assertEquals(Command.GATE_PUSH_ACK.code(), ack.command());
            assertEquals(9, ack.requestId());
            GatePushAck ackBody = GatePushAck.parseFrom(ack.body());
            assertEquals(1, ackBody.getWritten());
            assertEquals(List.of(999_999L), ackBody.getMissingConnectionIdsList());
        }
    }

    @Test
    void loginOnAnotherGateKicksThroughThePushTopicAndCloseCleansUp() throws Exception {
        try (KafkaConsumer<String, byte[]> push = consumer(topics.push());
             RawTcpClient onFirstGate = loggedIn(gate, 1008, "phone")) {
            long firstConnection = routesOf(1008).get(0).connectionId();
            GateServer second = newGate(GateConfig.builder()).start();
            try (RawTcpClient onSecondGate = loggedIn(second, 1008, "phone")) {
                ConsumerRecord<String, byte[]> record = awaitRecord(push, r -> parseTask(r.value()).getTargetsList().stream().anyMatch(t -> t.getUid() == 1008));
                assertEquals("1008", record.key());
                PushTask task = parseTask(record.value());
                assertEquals(Command.KICK.code(), task.getCommand());
                assertEquals(gate.gateId(), task.getTargets(0).getGateId());
                assertEquals(firstConnection, task.getTargets(0).getConnectionId());
                assertEquals(KickReason.DUPLICATE_DEVICE, Kick.parseFrom(task.getBody()).getReason());
                assertEquals(second.gateId(), routesOf(1008).get(0).gateId());

                second.close();
                assertEquals(Optional.empty(), registry.find(second.gateId()).get(), "gone from the registry");
                assertTrue(routesOf(1008).isEmpty(), "its sessions' routes are unregistered");
                assertTrue(onSecondGate.closedWithin(WAIT), "its connections are closed");
                assertTrue(registry.find(gate.gateId()).get().isPresent(), "the other gate is untouched");
            } finally {
                second.close();
            }
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, topic + ".gate-it." + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static ConsumerRecord<String, byte[]> awaitRecord(KafkaConsumer<String, byte[]> consumer,
            Predicate<ConsumerRecord<String, byte[]>> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (wanted.test(record)) {
                    return record;
                }
            }
        }
        throw new AssertionError("no matching record within 30 s");
    }

    private static UpstreamEnvelope parseEnvelope(byte[] bytes) {
        try {
            return UpstreamEnvelope.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("upstream value is not an UpstreamEnvelope", e);
        }
    }

    private static PushTask parseTask(byte[] bytes) {
        try {
            return PushTask.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("push value is not a PushTask", e);
        }
    }
}
