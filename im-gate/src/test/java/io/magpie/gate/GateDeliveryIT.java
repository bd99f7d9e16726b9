package io.magpie.gate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.GateRegistry;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.PushTask;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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

/**
 * Delivery guarantees at the gate (issue 4 points 3, 6 and 7) on real Redis and Kafka: routes come
 * back after Redis loses them, an unacknowledged PUSH is sent again, and the one-session-per-platform-
 * class policy kicks an older mobile session but leaves other classes alone.
 */
@ExtendWith(InfrastructureExtension.class)
class GateDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final byte[] SECRET = "gate-delivery-it-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private static String keyPrefix;
    private static RedisStore redis;
    private static RouteTable routes;
    private static GateRegistry registry;
    private static Topics topics;
    private static String bootstrap;
    private static KafkaProducer<String, byte[]> producer;
    private static TokenCodec tokens;
    /** Refreshes routes every second, resends unacked pushes after 300 ms, one session per platform class. */
    private static GateServer gate;
    /** A second gate with the same policy, for a login that must kick across gates. */
    private static GateServer otherGate;

    @BeforeAll
    static void startGates(Infrastructure infra, TestIsolation isolation) {
        keyPrefix = isolation.redisKeyPrefix();
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), keyPrefix));
        routes = new RedisRouteTable(redis);
        registry = new RedisGateRegistry(redis, Duration.ofSeconds(10));
        topics = new Topics(isolation.topicPrefix());
        bootstrap = infra.kafkaBootstrap();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            topics.ensure(admin, 2);
        }
        producer = new KafkaProducer<>(GateProducers.config(bootstrap));
        tokens = new TokenCodec(SECRET, Clock.systemUTC());
        gate = newGate().start();
        otherGate = newGate().start();
    }

    @AfterAll
    static void stopGates() {
        for (GateServer server : new GateServer[] {gate, otherGate}) {
            if (server != null) {
                server.close();
            }
        }
        if (producer != null) {
            producer.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static GateServer newGate() {
        GateConfig config = GateConfig.builder()
                .bindAddress("127.0.0.1")
                .tcpPort(0).wsPort(0).internalPort(0)
                .registryRefresh(Duration.ofMillis(300))
                .routeRefresh(Duration.ofSeconds(1))
                .pushAckTimeout(Duration.ofMillis(300))
                .maxPushResends(3)
                .devicePolicy(DevicePolicy.ONE_PER_PLATFORM_CLASS)
                .build();
        return new GateServer(config, routes, registry, producer, topics, tokens, Clock.systemUTC());
    }

    private static RawTcpClient loggedIn(GateServer server, long uid, String device, Platform platform)
            throws Exception {
        RawTcpClient client = new RawTcpClient(server.tcpPort());
        String token = tokens.issue(new TokenClaims(uid, device, platform, System.currentTimeMillis() + 3_600_000));
        client.send(Frames.of(Command.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build()));
        Frame ack = client.read(WAIT);
        assertEquals(Command.LOGIN_ACK.code(), ack.command(), () -> "expected LOGIN_ACK, got " + ack);
        return client;
    }

    private static List<Route> routesOf(long uid) throws Exception {
        return routes.lookup(List.of(uid)).get().get(uid);
    }

    private static Set<String> devicesOf(long uid) throws Exception {
        return routesOf(uid).stream().map(Route::deviceId).collect(Collectors.toSet());
    }

    /** Deletes every key of this test class: what FLUSHALL does to it, without touching other tests' keys. */
    private static void flushOurKeys() {
        var sync = redis.strings().sync();
        List<String> keys = sync.keys(keyPrefix + "*");
        if (!keys.isEmpty()) {
            sync.del(keys.toArray(String[]::new));
        }
    }

    @Test
    void routesLostInRedisAreBackWithinOneRefresh() throws Exception {
        try (RawTcpClient phone = loggedIn(gate, 3001, "phone", Platform.ANDROID);
             RawTcpClient laptop = loggedIn(gate, 3002, "laptop", Platform.DESKTOP)) {
            List<Route> before = List.of(routesOf(3001).get(0), routesOf(3002).get(0));

            flushOurKeys();

            await().atMost(WAIT).until(() -> routesOf(3001).size() == 1 && routesOf(3002).size() == 1);
            assertEquals(before, List.of(routesOf(3001).get(0), routesOf(3002).get(0)),
                    "the same connections are routable again");
            await().atMost(WAIT).until(() -> registry.find(gate.gateId()).get().isPresent());

            // Still the same sessions, still served.
            phone.send(Frames.of(Command.PING, 7, Ping.getDefaultInstance()));
            assertEquals(Command.PONG.code(), phone.read(WAIT).command());
        }
    }

    @Test
    void aClientThatDoesNotAckGetsTheSamePushAgain() throws Exception {
        try (RawTcpClient client = loggedIn(gate, 3003, "phone", Platform.ANDROID);
             RawTcpClient router = RouterLinks.open(gate)) {
            long connectionId = routesOf(3003).get(0).connectionId();
            Push push = Push.newBuilder().addMessages(Message.newBuilder()
                    .setMsgId(7001).setConversationId("s_3003_4000").setSeq(1).setSenderUid(4000)
                    .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("are you there?")))
                    .build();
            router.send(Frames.of(Command.GATE_PUSH, 1, GatePush.newBuilder()
                    .addConnections(ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(3003))
                    .setCommand(Command.PUSH.code())
                    .setRequestId(61)
                    .setBody(push.toByteString())
                    .build()));
            assertEquals(Command.GATE_PUSH_ACK.code(), router.read(WAIT).command());

            Frame first = client.read(WAIT);
            assertEquals(Command.PUSH.code(), first.command());
            assertEquals(push, Push.parseFrom(first.body()));
            Frame again = client.read(WAIT);
            assertEquals(first, again, "the unacknowledged PUSH comes again, the same frame");

            client.send(Frames.of(Command.PUSH_ACK, 0, PushAck.newBuilder()
                    .addAcked(MessageRef.newBuilder().setConversationId("s_3003_4000").setSeq(1)).build()));
            client.send(Frames.of(Command.PING, 8, Ping.getDefaultInstance()));
            Frame next = client.read(WAIT);
            while (next.is(Command.PUSH)) {
                // A resend may already have been on its way when the ACK arrived; the client dedupes it.
                assertEquals(first, next);
                next = client.read(WAIT);
            }
            assertEquals(Command.PONG.code(), next.command(), "the connection is healthy after the ACK");
        }
    }

    @Test
    void aSecondMobileDeviceKicksTheOlderOneButADesktopDoesNot() throws Exception {
        try (RawTcpClient phone = loggedIn(gate, 3004, "phone", Platform.ANDROID);
             RawTcpClient tablet = loggedIn(gate, 3004, "tablet", Platform.IOS)) {
            Frame kick = phone.read(WAIT);
            assertEquals(Command.KICK.code(), kick.command());
            Kick body = Kick.parseFrom(kick.body());
            assertEquals(KickReason.DUPLICATE_DEVICE, body.getReason());
            assertTrue(body.getMessage().contains("gate.device-policy"), body.getMessage());
            assertTrue(phone.closedWithin(WAIT), "the older mobile session is closed");
            await().atMost(WAIT).until(() -> devicesOf(3004).equals(Set.of("tablet")));

            try (RawTcpClient laptop = loggedIn(gate, 3004, "laptop", Platform.DESKTOP)) {
                tablet.send(Frames.of(Command.PING, 9, Ping.getDefaultInstance()));
                Frame pong = tablet.read(WAIT);
                assertEquals(Command.PONG.code(), pong.command(), "the mobile session is not kicked by a desktop");
                assertEquals(Set.of("tablet", "laptop"), devicesOf(3004));
                laptop.send(Frames.of(Command.PING, 10, Ping.getDefaultInstance()));
                assertEquals(Command.PONG.code(), laptop.read(WAIT).command());
            }
        }
    }

    @Test
    void aMobileLoginOnAnotherGateKicksTheOlderMobileSessionThroughThePushTopic() throws Exception {
        try (KafkaConsumer<String, byte[]> push = consumer(topics.push());
             RawTcpClient phone = loggedIn(gate, 3005, "phone", Platform.ANDROID)) {
            long phoneConnection = routesOf(3005).get(0).connectionId();
            try (RawTcpClient tablet = loggedIn(otherGate, 3005, "tablet", Platform.IOS)) {
                ConsumerRecord<String, byte[]> record = awaitRecord(push, 3005);
                PushTask task = PushTask.parseFrom(record.value());
                assertEquals(Command.KICK.code(), task.getCommand());
                assertEquals(gate.gateId(), task.getTargets(0).getGateId());
                assertEquals(phoneConnection, task.getTargets(0).getConnectionId());
                Kick kick = Kick.parseFrom(task.getBody());
                assertEquals(KickReason.DUPLICATE_DEVICE, kick.getReason());
                assertTrue(kick.getMessage().contains("gate.device-policy"), kick.getMessage());
            }
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, topic + ".gate-delivery-it." + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** The first KICK task for {@code uid} on the push topic. */
    private static ConsumerRecord<String, byte[]> awaitRecord(KafkaConsumer<String, byte[]> consumer, long uid)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                PushTask task = PushTask.parseFrom(record.value());
                if (task.getCommand() == Command.KICK.code()
                        && task.getTargetsList().stream().anyMatch(t -> t.getUid() == uid)) {
                    return record;
                }
            }
        }
        throw new AssertionError("no KICK task for uid " + uid + " within 30 s");
    }
}
