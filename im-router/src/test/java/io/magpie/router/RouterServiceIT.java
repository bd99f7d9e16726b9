package io.magpie.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.registry.Route;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Step 7 on real servers: push tasks on the real {@code push} topic reach a gate's internal port
 * found through the real Redis registry and routes, and offline users get an {@code offline} task.
 */
@ExtendWith(InfrastructureExtension.class)
class RouterServiceIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ByteString BODY = ByteString.copyFromUtf8("opaque frame body");
    private static final ClusterSecret SECRET = ClusterSecret.of("router-it-cluster-secret-0123456789abcdef");

    private static RedisStore redis;
    private static RedisRouteTable routes;
    private static RedisGateRegistry registry;
    private static RouterService router;
    private static TestGateReceiver gate;
    private static Topics topics;
    private static Admin admin;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> offlineConsumer;
    private static RouterConfig config;

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) throws Exception {
        topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 2);
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        routes = new RedisRouteTable(redis);
        registry = new RedisGateRegistry(redis, Duration.ofMinutes(5));
        gate = new TestGateReceiver(0, "g-1", SECRET);
        publish("g-1", gate.port());

        config = RouterConfig.builder(infra.kafkaBootstrap()).topicPrefix(iso.topicPrefix())
                .retryBackoffMin(Duration.ofMillis(50)).retryBackoffMax(Duration.ofMillis(500))
                .clusterSecret(SECRET).pushTimeout(Duration.ofSeconds(1)).maxAckTimeouts(2).build();
        router = new RouterService(config, routes, registry, Clock.systemUTC()).start();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, iso.topicPrefix() + "it-offline-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        offlineConsumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        offlineConsumer.subscribe(List.of(topics.offline()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {offlineConsumer, producer, router, gate, redis, admin}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aMessageReachesEveryConnectionOfTheRecipientAndTheSendersOtherDevices() throws Exception {
        register(new Route(101, "phone", "ANDROID", "g-1", 11, 1));
        register(new Route(102, "phone", "IOS", "g-1", 21, 1));
        register(new Route(102, "desk", "DESKTOP", "g-1", 22, 1));
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(102))
                .addTargets(PushTarget.newBuilder().setUid(101).setExcludeGateId("g-1").setExcludeConnectionId(11))
                .setCommand(Command.PUSH.code())
                .setBody(BODY)
                .setOfflineNotify(true)
                .setConversationId("s_101_102")
                .setMsgId(7001)
                .setSeq(1)
                .setSenderUid(101)
                .build();

        RecordMetadata sent = produce("s_101_102", task);

        GatePush push = nextFor(21);
        assertEquals(Set.of(conn(21, 102), conn(22, 102)), Set.copyOf(push.getConnectionsList()));
        assertEquals(Command.PUSH.code(), push.getCommand());
        assertEquals(BODY, push.getBody());
        awaitCommitted(sent);
    }

    @Test
    void aSendAckGoesToExactlyTheNamedConnection() throws Exception {
        PushTask ack = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(201).setGateId("g-1").setConnectionId(31))
                .setCommand(Command.SEND_ACK.code())
                .setRequestId(77)
                .setBody(BODY)
                .build();

        produce("201", ack);

        GatePush push = nextFor(31);
        assertEquals(List.of(conn(31, 201)), push.getConnectionsList());
        assertEquals(Command.SEND_ACK.code(), push.getCommand());
        assertEquals(77, push.getRequestId());
    }

    @Test
    void aRecipientWithoutRouteGetsAnOfflineTask() throws Exception {
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(302))
                .setCommand(Command.PUSH.code())
                .setBody(BODY)
                .setOfflineNotify(true)
                .setConversationId("s_301_302")
                .setMsgId(9001)
                .setSeq(4)
                .setSenderUid(301)
                .setPreview("hello there")
                .build();

        produce("s_301_302", task);

        OfflineTask offline = await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, byte[]> r : offlineConsumer.poll(Duration.ofMillis(200))) {
                OfflineTask t = OfflineTask.parseFrom(r.value());
                if (t.getUid() == 302) {
                    assertEquals("302", r.key());
                    return Optional.of(t);
                }
            }
            return Optional.<OfflineTask>empty();
        }, Optional::isPresent).get();
        assertEquals("s_301_302", offline.getConversationId());
        assertEquals(9001, offline.getMsgId());
        assertEquals(4, offline.getSeq());
        assertEquals(301, offline.getSenderUid());
        assertEquals("hello there", offline.getPreview());
    }

    @Test
    void aGateThatLeftTheRegistryOrCannotBeReachedDoesNotHoldUpOthers() throws Exception {
        int downPort;
        try (ServerSocket s = new ServerSocket(0)) {
            downPort = s.getLocalPort();
        }
        publish("g-down", downPort); // registered, but nothing listens
        PushTask toGone = direct("g-gone", 41, 501);
        PushTask toDown = direct("g-down", 42, 502);
        PushTask toLive = direct("g-1", 43, 503);

        // same key: one partition, processed in this order
        produce("k", toGone);
        produce("k", toDown);
        RecordMetadata last = produce("k", toLive);

        GatePush atLive = nextFor(43);
        assertEquals(List.of(conn(43, 503)), atLive.getConnectionsList());
        // committed although g-down never answered: its users get the message from storage
        awaitCommitted(last);
        registry.remove("g-down").get();
    }

    @Test
    void aHungGateDelaysOnlyItsOwnUsersAndItsConnectionIsReplaced() throws Exception {
        try (TestGateReceiver hung = new TestGateReceiver(0, "g-hung", SECRET)) {
            hung.hang();
            publish("g-hung", hung.port());
            RecordMetadata last = null;
            for (int i = 0; i < 6; i++) {
                // one partition: every batch has a push for the hung gate and one for the healthy gate
                produce("hung", direct("g-hung", 700 + i, 7000 + i));
                last = produce("hung", direct("g-1", 710 + i, 7100 + i));
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(List.of(conn(710 + i, 7100 + i)), nextFor(710 + i).getConnectionsList());
            }
            awaitCommitted(last);
            // after max-ack-timeouts timeouts in a row the router closed the link; the next push opens a new one
            produce("hung", direct("g-hung", 798, 7998));
            await().atMost(WAIT).until(() -> hung.authenticated() >= 2);
            // the healthy gate got each push once: no batch was sent to it again because of the hung one
            produce("hung", direct("g-1", 799, 7999));
            GatePush next;
            do {
                next = gate.next(WAIT);
                assertNotNull(next, "the marker push never arrived");
                assertTrue(next.getConnections(0).getConnectionId() >= 799
                        || next.getConnections(0).getConnectionId() < 700, "a push to g-1 came again: " + next);
            } while (next.getConnections(0).getConnectionId() != 799);
        } finally {
            registry.remove("g-hung").get();
        }
    }

    @Test
    void aGateThatCannotProveTheClusterSecretGetsNoPush() throws Exception {
        ClusterSecret other = ClusterSecret.of("router-it-not-the-cluster-secret-0123456789");
        try (TestGateReceiver impostor = new TestGateReceiver(0, "g-impostor", other)) {
            publish("g-impostor", impostor.port());
            produce("impostor", direct("g-impostor", 801, 8001));
            RecordMetadata last = produce("impostor", direct("g-1", 802, 8002));

            nextFor(802);
            awaitCommitted(last);
            assertTrue(impostor.connections() >= 1, "the router did try the impostor");
            assertEquals(0, impostor.authenticated(), "the router never sent its proof to a gate without the secret");
            assertNull(impostor.next(Duration.ZERO), "no GATE_PUSH reached a gate that failed to prove itself");
        } finally {
            registry.remove("g-impostor").get();
        }
    }

    @Test
    void connectionsAGateReportsMissingArePrunedAndTheirUsersNotifiedOffline() throws Exception {
        register(new Route(901, "phone", "ANDROID", "g-1", 91, 1));
        register(new Route(902, "phone", "ANDROID", "g-1", 92, 1));
        gate.reportMissing(91);
        PushTask task = PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(901))
                .addTargets(PushTarget.newBuilder().setUid(902))
                .setCommand(Command.PUSH.code())
                .setBody(BODY)
                .setOfflineNotify(true)
                .setConversationId("g_900")
                .setMsgId(9901)
                .setSeq(3)
                .setSenderUid(903)
                .setPreview("crashed gate")
                .build();

        produce("g_900", task);

        nextFor(91);
        OfflineTask offline = await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, byte[]> r : offlineConsumer.poll(Duration.ofMillis(200))) {
                OfflineTask t = OfflineTask.parseFrom(r.value());
                assertTrue(t.getUid() != 902, "uid 902 was delivered and must not be notified");
                if (t.getUid() == 901) {
                    return Optional.of(t);
                }
            }
            return Optional.<OfflineTask>empty();
        }, Optional::isPresent).get();
        assertEquals(9901, offline.getMsgId());
        await().atMost(WAIT).until(() -> routes.lookup(List.of(901L)).get().get(901L).isEmpty());
        assertEquals(1, routes.lookup(List.of(902L)).get().get(902L).size(), "a delivered route stays");
    }

    @Test
    void aGroupMessageForFiftyMembersIsOneGatePushPerGate() throws Exception {
        try (TestGateReceiver gateA = new TestGateReceiver(0, "g-a", SECRET);
             TestGateReceiver gateB = new TestGateReceiver(0, "g-b", SECRET)) {
            publish("g-a", gateA.port());
            publish("g-b", gateB.port());
            PushTask.Builder group = PushTask.newBuilder()
                    .setCommand(Command.PUSH.code())
                    .setBody(BODY)
                    .setOfflineNotify(true)
                    .setConversationId("g_77")
                    .setMsgId(7701)
                    .setSeq(1)
                    .setSenderUid(5000);
            for (long uid = 5000; uid < 5050; uid++) {
                register(new Route(uid, "phone", "ANDROID", uid % 2 == 0 ? "g-a" : "g-b", uid, 1));
                // the sender's own connection (uid 5000 on g-a) is excluded
                group.addTargets(PushTarget.newBuilder().setUid(uid).setExcludeGateId("g-a")
                        .setExcludeConnectionId(5000));
            }
            PushTask marker = PushTask.newBuilder()
                    .addTargets(PushTarget.newBuilder().setUid(1).setGateId("g-a").setConnectionId(1))
                    .addTargets(PushTarget.newBuilder().setUid(1).setGateId("g-b").setConnectionId(1))
                    .setCommand(Command.SEND_ACK.code())
                    .setBody(BODY)
                    .build();

            // same key: the marker is handled after the group message, so it ends each gate's stream
            produce("g_77", group.build());
            produce("g_77", marker);

            List<GatePush> atA = untilMarker(gateA);
            List<GatePush> atB = untilMarker(gateB);
            assertEquals(1, atA.size(), "one GatePush to gate g-a for the whole group");
            assertEquals(1, atB.size(), "one GatePush to gate g-b for the whole group");
            Set<ConnectionRef> expectedA = new java.util.HashSet<>();
            Set<ConnectionRef> expectedB = new java.util.HashSet<>();
            for (long uid = 5001; uid < 5050; uid++) {
                (uid % 2 == 0 ? expectedA : expectedB).add(conn(uid, uid));
            }
            assertEquals(expectedA, Set.copyOf(atA.get(0).getConnectionsList()));
            assertEquals(expectedB, Set.copyOf(atB.get(0).getConnectionsList()));
            assertEquals(24, atA.get(0).getConnectionsCount());
            assertEquals(25, atB.get(0).getConnectionsCount());
            assertEquals(BODY, atA.get(0).getBody());
        } finally {
            registry.remove("g-a").get();
            registry.remove("g-b").get();
        }
    }

    /** The pushes a gate received before the marker (connection 1), with repeats of a retried batch dropped. */
    private static List<GatePush> untilMarker(TestGateReceiver receiver) throws InterruptedException {
        List<GatePush> before = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            GatePush p = receiver.next(Duration.ofSeconds(1));
            if (p == null) {
                continue;
            }
            if (p.getCommand() == Command.SEND_ACK.code()) {
                return before;
            }
            if (!before.contains(p)) {
                before.add(p);
            }
        }
        throw new AssertionError("the marker push never arrived");
    }

    // ---- helpers

    private static PushTask direct(String gateId, long connectionId, long uid) {
        return PushTask.newBuilder()
                .addTargets(PushTarget.newBuilder().setUid(uid).setGateId(gateId).setConnectionId(connectionId))
                .setCommand(Command.SEND_ACK.code())
                .setRequestId(1)
                .setBody(BODY)
                .build();
    }

    /**
     * The next push at gate g-1 that includes {@code connectionId}, skipping pushes of other tests
     * (and repeats from their retried batches).
     */
    private static GatePush nextFor(long connectionId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            GatePush p = gate.next(Duration.ofSeconds(1));
            if (p != null && p.getConnectionsList().stream().anyMatch(c -> c.getConnectionId() == connectionId)) {
                return p;
            }
        }
        throw new AssertionError("no GATE_PUSH for connection " + connectionId);
    }

    private static void publish(String gateId, int internalPort) throws Exception {
        registry.publish(new GateInfo(gateId, "127.0.0.1", 0, 0, internalPort, 0, GateState.ACTIVE, Set.of(), "",
                System.currentTimeMillis())).get();
    }

    private static void register(Route route) throws Exception {
        routes.register(route).get();
    }

    private static ConnectionRef conn(long connectionId, long uid) {
        return ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(uid).build();
    }

    private static RecordMetadata produce(String key, PushTask task) throws Exception {
        return producer.send(new ProducerRecord<>(topics.push(), key, task.toByteArray())).get();
    }

    private static void awaitCommitted(RecordMetadata sent) {
        TopicPartition tp = new TopicPartition(sent.topic(), sent.partition());
        await().atMost(WAIT).until(() -> {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(config.consumerGroup())
                    .partitionsToOffsetAndMetadata().get().get(tp);
            return o != null && o.offset() > sent.offset();
        });
    }
}
