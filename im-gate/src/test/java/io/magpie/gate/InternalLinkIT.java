package io.magpie.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.registry.GateRegistry;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisGateRegistry;
import io.magpie.registry.RedisRouteTable;
import io.magpie.registry.RedisStore;
import io.magpie.registry.RouteTable;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.link.LinkProofs;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LinkChallenge;
import io.magpie.protocol.proto.LinkHello;
import io.magpie.protocol.proto.LinkProof;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The internal push port as an attacker sees it (issue 8 point 1): a real gate with a logged-in real
 * client, and raw sockets on the internal port that send GATE_PUSH / KICK without the handshake, with
 * a wrong cluster secret, or nothing at all. None of them reaches the client, and each is closed. A
 * router with the right secret does reach it, so these tests can fail.
 */
@ExtendWith(InfrastructureExtension.class)
class InternalLinkIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final byte[] TOKEN_SECRET = "internal-link-it-token-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final ClusterSecret CLUSTER_SECRET = ClusterSecret.of("internal-link-it-cluster-secret-0123456789");
    private static final ClusterSecret WRONG_SECRET = ClusterSecret.of("internal-link-it-cluster-secret-9876543210");

    private static RedisStore redis;
    private static RouteTable routes;
    private static KafkaProducer<String, byte[]> producer;
    private static TokenCodec tokens;
    private static GateServer gate;

    @BeforeAll
    static void startGate(Infrastructure infra, TestIsolation isolation) {
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
        routes = new RedisRouteTable(redis);
        GateRegistry registry = new RedisGateRegistry(redis, Duration.ofSeconds(10));
        Topics topics = new Topics(isolation.topicPrefix());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()))) {
            topics.ensure(admin, 2);
        }
        producer = new KafkaProducer<>(GateProducers.config(infra.kafkaBootstrap()));
        tokens = new TokenCodec(TOKEN_SECRET, Clock.systemUTC());
        GateConfig config = GateConfig.builder()
                .bindAddress("127.0.0.1")
                .tcpPort(0).wsPort(0).internalPort(0)
                .clusterSecret(CLUSTER_SECRET)
                .internalHandshakeTimeout(Duration.ofMillis(500))
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

    @Test
    void gatePushAndKickWithoutTheHandshakeReachNoClientAndTheSocketIsClosed() throws Exception {
        try (RawTcpClient victim = loggedIn(5001);
             RawTcpClient attacker = new RawTcpClient(gate.internalPort())) {
            long connectionId = connectionOf(5001);
            sendIfOpen(attacker, forgedPush(connectionId, 5001));
            sendIfOpen(attacker, kick(connectionId, 5001));

            assertTrue(attacker.closedWithin(WAIT), "the gate closes a peer that skips the handshake");
            assertUntouched(victim);
        }
    }

    @Test
    void aPeerWithAWrongSecretIsClosedBeforeItsFramesAreActedOn() throws Exception {
        try (RawTcpClient victim = loggedIn(5002);
             RawTcpClient attacker = new RawTcpClient(gate.internalPort())) {
            long connectionId = connectionOf(5002);
            LinkProofs wrong = new LinkProofs(WRONG_SECRET);
            byte[] routerNonce = wrong.newNonce();
            attacker.send(Frames.of(Command.LINK_HELLO, 1, LinkHello.newBuilder()
                    .setRouterNonce(ByteString.copyFrom(routerNonce)).setRouterId("attacker").build()));
            Frame answer = attacker.read(WAIT);
            assertEquals(Command.LINK_CHALLENGE.code(), answer.command());
            LinkChallenge challenge = LinkChallenge.parseFrom(answer.body());
            byte[] gateNonce = challenge.getGateNonce().toByteArray();
            // the gate proved itself with a secret the attacker does not hold
            assertTrue(!wrong.isGateProof(challenge.getGateProof().toByteArray(), routerNonce, gateNonce,
                    gate.gateId(), "attacker"));
            // a wrong proof, with the attack pipelined right behind it
            attacker.send(Frames.of(Command.LINK_PROOF, 2, LinkProof.newBuilder().setRouterProof(ByteString.copyFrom(
                    wrong.routerProof(routerNonce, gateNonce, gate.gateId(), "attacker"))).build()));
            sendIfOpen(attacker, forgedPush(connectionId, 5002));
            sendIfOpen(attacker, kick(connectionId, 5002));

            assertTrue(attacker.closedWithin(WAIT), "the gate closes a peer whose proof is wrong");
            assertUntouched(victim);
        }
    }

    @Test
    void aPeerThatConnectsAndSaysNothingIsClosedAtTheHandshakeDeadline() throws Exception {
        try (RawTcpClient idle = new RawTcpClient(gate.internalPort())) {
            assertTrue(idle.closedWithin(WAIT), "gate.internal-handshake-timeout closes a silent peer");
        }
    }

    @Test
    void aRouterWithTheClusterSecretDeliversAndKicks() throws Exception {
        try (RawTcpClient victim = loggedIn(5003);
             RawTcpClient router = RouterLinks.open(gate)) {
            long connectionId = connectionOf(5003);
            router.send(forgedPush(connectionId, 5003));
            assertEquals(Command.GATE_PUSH_ACK.code(), router.read(WAIT).command());
            assertEquals(Command.PUSH.code(), victim.read(WAIT).command());

            router.send(Frames.of(Command.PING, 3, Ping.getDefaultInstance()));
            assertEquals(Command.PONG.code(), router.read(WAIT).command(), "an authenticated link answers keepalives");

            router.send(kick(connectionId, 5003));
            assertEquals(Command.GATE_PUSH_ACK.code(), router.read(WAIT).command());
            Frame next = victim.read(WAIT);
            while (next.is(Command.PUSH)) { // the unacked PUSH may be resent first
                next = victim.read(WAIT);
            }
            assertEquals(Command.KICK.code(), next.command());
            assertTrue(victim.closedWithin(WAIT));
        }
    }

    /** The gate may close the attacker before it has written everything; that is the point. */
    private static void sendIfOpen(RawTcpClient attacker, Frame frame) {
        try {
            attacker.send(frame);
        } catch (java.io.IOException closedAlready) {
            // asserted by closedWithin below
        }
    }

    /** The client got nothing from the attack: its next frame is the PONG to its own PING. */
    private static void assertUntouched(RawTcpClient victim) throws Exception {
        victim.send(Frames.of(Command.PING, 77, Ping.getDefaultInstance()));
        Frame next = victim.read(WAIT);
        assertEquals(Command.PONG.code(), next.command(), () -> "the client received " + next + " from the attack");
        assertEquals(77, next.requestId());
    }

    private static Frame forgedPush(long connectionId, long uid) {
        Push push = Push.newBuilder().addMessages(Message.newBuilder()
                .setMsgId(1).setConversationId("s_1_" + uid).setSeq(1).setSenderUid(1)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("from your admin")))
                .build();
        return Frames.of(Command.GATE_PUSH, 11, GatePush.newBuilder()
                .addConnections(ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(uid))
                .setCommand(Command.PUSH.code()).setRequestId(1).setBody(push.toByteString()).build());
    }

    private static Frame kick(long connectionId, long uid) {
        return Frames.of(Command.GATE_PUSH, 12, GatePush.newBuilder()
                .addConnections(ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(uid))
                .setCommand(Command.KICK.code()).setRequestId(2)
                .setBody(Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).build().toByteString()).build());
    }

    private static RawTcpClient loggedIn(long uid) throws Exception {
        RawTcpClient client = new RawTcpClient(gate.tcpPort());
        String token = tokens.issue(new TokenClaims(uid, "phone", Platform.ANDROID,
                System.currentTimeMillis() + 3_600_000));
        client.send(Frames.of(Command.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build()));
        Frame ack = client.read(WAIT);
        assertEquals(Command.LOGIN_ACK.code(), ack.command(), () -> "expected LOGIN_ACK, got " + ack);
        return client;
    }

    private static long connectionOf(long uid) throws Exception {
        List<io.magpie.registry.Route> found = routes.lookup(List.of(uid)).get().get(uid);
        assertEquals(1, found.size());
        return found.get(0).connectionId();
    }
}
