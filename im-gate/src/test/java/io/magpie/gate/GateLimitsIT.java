package io.magpie.gate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.GateRegistry;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.codec.FrameEncoder;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Per-connection limits of a real gate on real Redis and Kafka (issue 8 point 3): a flooding client is
 * refused with RATE_LIMITED and then closed while another user's requests keep reaching the bus, and a
 * source address cannot hold more than its budget of connections that never log in.
 */
@ExtendWith(InfrastructureExtension.class)
class GateLimitsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final byte[] SECRET = "gate-limits-it-secret-0123456789abcdefgh".getBytes(StandardCharsets.UTF_8);
    private static final int UNAUTHENTICATED_PER_ADDRESS = 3;

    private static RedisStore redis;
    private static RouteTable routes;
    private static GateRegistry registry;
    private static Topics topics;
    private static String bootstrap;
    private static KafkaProducer<String, byte[]> producer;
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
        GateConfig config = GateConfig.builder()
                .bindAddress("127.0.0.1")
                .tcpPort(0).wsPort(0).internalPort(0)
                .registryRefresh(Duration.ofMillis(300))
                .loginTimeout(Duration.ofSeconds(60)) // the idle sockets below must outlive the test
                .limits(GateLimits.defaults().toBuilder()
                        .syncs(5, 10)
                        .maxRefusals(50)
                        .maxUnauthenticatedPerAddress(UNAUTHENTICATED_PER_ADDRESS)
                        .build())
                .build();
        gate = new GateServer(config, routes, registry, producer, topics, tokens, Clock.systemUTC()).start();
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

    private static Frame login(long uid, String device) {
        String token = tokens.issue(new TokenClaims(uid, device, Platform.ANDROID,
                System.currentTimeMillis() + 3_600_000));
        return Frames.of(Command.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build());
    }

    private static RawTcpClient loggedIn(long uid, String device) throws Exception {
        RawTcpClient client = new RawTcpClient(gate.tcpPort());
        try {
            client.send(login(uid, device));
            Frame ack = client.read(WAIT);
            assertEquals(Command.LOGIN_ACK.code(), ack.command(), () -> "expected LOGIN_ACK, got " + ack);
            return client;
        } catch (Exception | AssertionError e) {
            client.close();
            throw e;
        }
    }

    @Test
    void aFloodingClientIsRateLimitedThenClosedWhileAnotherUsersSendsReachTheBus() throws Exception {
        try (KafkaConsumer<String, byte[]> upstream = consumer(topics.upstream());
             RawTcpClient flooder = loggedIn(4001, "phone");
             RawTcpClient neighbour = loggedIn(4002, "phone")) {
            ByteBuf flood = Unpooled.buffer();
            for (int i = 1; i <= 2000; i++) {
                FrameEncoder.writeTo(Frames.of(Command.SYNC, i, SyncRequest.getDefaultInstance()), flood);
            }
            flooder.sendRaw(RawTcpClient.ByteBufBytes.of(flood));
            for (int i = 1; i <= 20; i++) {
                neighbour.send(Frames.of(Command.SEND, 100 + i, SendRequest.newBuilder()
                        .setClientMsgId("limits-it-" + i).setConversationType(ConversationType.SINGLE)
                        .setTargetId(4003)
                        .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hi " + i))
                        .build()));
            }

            Frame first = flooder.read(WAIT);
            assertEquals(Command.ERROR.code(), first.command(), () -> "expected RATE_LIMITED, got " + first);
            Error limited = Error.parseFrom(first.body());
            assertEquals(ErrorCode.RATE_LIMITED.code(), limited.getCode());
            assertTrue(limited.getRetryable());
            assertTrue(limited.getRetryAfterMs() > 0, "RATE_LIMITED says when to resend");
            assertTrue(first.requestId() > 10, "the burst of 10 SYNCs passed; refused from the 11th on (or a little "
                    + "later, as tokens come back while the flood is read): " + first.requestId());
            assertTrue(flooder.closedWithin(WAIT), "persistent abuse closes the connection");

            Set<Integer> reached = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reached.size() < 20 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : upstream.poll(Duration.ofMillis(200))) {
                    UpstreamEnvelope envelope = UpstreamEnvelope.parseFrom(record.value());
                    if (envelope.getUid() == 4002 && envelope.getCommand() == Command.SEND.code()) {
                        reached.add(envelope.getRequestId());
                    }
                }
            }
            assertEquals(20, reached.size(), "every SEND of the other user reached the bus");
            neighbour.send(Frames.of(Command.PING, 500, io.magpie.protocol.proto.Ping.getDefaultInstance()));
            Frame pong = neighbour.read(WAIT);
            assertEquals(Command.PONG.code(), pong.command(), () -> "the neighbour got no error: " + pong);
        }
    }

    @Test
    void oneAddressCannotHoldMoreConnectionsThatNeverLogInThanItsBudget() throws Exception {
        await().atMost(WAIT).until(() -> gate.connectionCount() == 0); // the other test's connections are gone
        try (RawTcpClient a = new RawTcpClient(gate.tcpPort());
             RawTcpClient b = new RawTcpClient(gate.tcpPort());
             RawTcpClient c = new RawTcpClient(gate.tcpPort())) {
            // accepted connections are set up on several event loops: wait until these three are counted
            await().atMost(WAIT).until(() -> gate.connectionCount() == 3);
            RawTcpClient over = new RawTcpClient(gate.tcpPort());
            assertTrue(over.closedWithin(WAIT), "the 4th connection from 127.0.0.1 without a login is closed");

            a.send(login(4010, "tablet"));
            assertEquals(Command.LOGIN_ACK.code(), a.read(WAIT).command());
            try (RawTcpClient next = new RawTcpClient(gate.tcpPort())) {
                next.send(login(4011, "tablet"));
                assertEquals(Command.LOGIN_ACK.code(), next.read(WAIT).command(),
                        "a logged-in connection no longer counts against its address");
            }
            b.send(login(4012, "tablet"));
            assertEquals(Command.LOGIN_ACK.code(), b.read(WAIT).command(), "the waiting ones were left alone");
            assertFalse(c.closedWithin(Duration.ofMillis(200)));
            over.close();
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, topic + ".gate-limits-it." + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
