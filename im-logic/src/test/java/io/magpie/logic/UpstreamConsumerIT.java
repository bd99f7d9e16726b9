package io.magpie.logic;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisStore;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
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
 * Steps 5 and 6 on real servers: SEND envelopes produced to the real {@code upstream} topic end up
 * as MySQL rows with seq 1..n, push tasks on {@code push}, and committed offsets.
 */
@ExtendWith(InfrastructureExtension.class)
class UpstreamConsumerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GATE = "gate-it";

    private static Infrastructure infra;
    private static LogicConfig config;
    private static Topics topics;
    private static Database database;
    private static RedisStore redis;
    private static LogicService logic;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> pushConsumer;
    private static Admin admin;
    private static final List<PushTask> pushes = new ArrayList<>();
    private static long nextUid = 5_000_000;

    @BeforeAll
    static void start(Infrastructure infrastructure, TestIsolation iso) {
        infra = infrastructure;
        topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 3);
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        config = LogicConfig.builder(infra.kafkaBootstrap(), "an-upstream-it-secret-of-32-bytes-long!")
                .topicPrefix(iso.topicPrefix())
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000)
                .build();
        logic = new LogicService(config, database, redis, Clock.systemUTC()).start();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, iso.topicPrefix() + "it-push-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        pushConsumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        pushConsumer.subscribe(List.of(topics.push()));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {pushConsumer, producer, logic, redis, database, admin}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + c, e);
                }
            }
        }
    }

    @Test
    void sendsAreStoredWithSeqOneToNInOrderAndPushedAndCommitted() throws Exception {
        long alice = account();
        long bob = account();
        String conv = ConversationIds.single(alice, bob);
        RecordMetadata last = null;
        for (int i = 1; i <= 5; i++) {
            last = send(alice, 11, i, text("m" + i, bob, "hello " + i));
        }

        awaitRows(conv, 5);
        assertEquals(List.of("1:m1", "2:m2", "3:m3", "4:m4", "5:m5"), rows(conv));
        for (int i = 1; i <= 5; i++) {
            SendAck ack = awaitSendAck(alice, 11, i);
            assertEquals(i, ack.getSeq());
            assertEquals("m" + i, ack.getClientMsgId());
            assertEquals(conv, ack.getConversationId());
            PushTask push = awaitTask(t -> t.getCommand() == Command.PUSH.code() && t.getMsgId() == ack.getMsgId());
            assertEquals(PushTarget.newBuilder().setUid(bob).build(), push.getTargets(0));
            assertEquals(PushTarget.newBuilder().setUid(alice).setExcludeGateId(GATE).setExcludeConnectionId(11).build(),
                    push.getTargets(1));
            assertTrue(push.getOfflineNotify());
            Message m = Push.parseFrom(push.getBody()).getMessages(0);
            assertEquals(i, m.getSeq());
            assertEquals("hello " + i, m.getContent().getText());
            assertEquals(alice, m.getSenderUid());
        }
        // the sender has read its own messages, the peer has not
        assertEquals("5/5", conversation(alice, conv));
        assertEquals("5/0", conversation(bob, conv));
        TopicPartition tp = new TopicPartition(last.topic(), last.partition());
        long end = last.offset() + 1;
        await().atMost(WAIT).until(() -> committed(tp) >= end);
    }

    @Test
    void aResentSendIsStoredOnceAndAnsweredWithTheOriginalIdAndSeq() throws Exception {
        long alice = account();
        long bob = account();
        String conv = ConversationIds.single(alice, bob);

        send(alice, 21, 1, text("first", bob, "one"));
        SendAck original = awaitSendAck(alice, 21, 1);
        // a redelivery after the original was stored (client resend with the same client msg id)
        send(alice, 22, 2, text("first", bob, "one"));
        // two copies in quick succession: most likely the same batch
        send(alice, 21, 3, text("second", bob, "two"));
        send(alice, 21, 4, text("second", bob, "two"));

        SendAck resent = awaitSendAck(alice, 22, 2);
        SendAck secondA = awaitSendAck(alice, 21, 3);
        SendAck secondB = awaitSendAck(alice, 21, 4);
        assertEquals(original.getMsgId(), resent.getMsgId());
        assertEquals(original.getSeq(), resent.getSeq());
        assertEquals(secondA.getMsgId(), secondB.getMsgId());
        assertEquals(2, secondB.getSeq());
        assertEquals(List.of("1:first", "2:second"), rows(conv));
    }

    @Test
    void refusedRequestsGetAnErrorAndThePipelineGoesOn() throws Exception {
        long alice = account();
        long bob = account();
        long nobody = 987_654_321L;

        send(alice, 31, 1, text("to-nobody", nobody, "hi"));
        send(alice, 31, 2, text("to-group", bob, "hi").toBuilder().setConversationType(ConversationType.GROUP).build());
        producer.send(new ProducerRecord<>(topics.upstream(), "x", envelope(alice, 31, 3, Command.SEND,
                ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01})).toByteArray())).get();
        send(alice, 31, 4, text("fine", bob, "hi"));

        assertEquals(ErrorCode.NOT_FOUND.code(), awaitError(alice, 31, 1).getCode());
        assertEquals(ErrorCode.NOT_FOUND.code(), awaitError(alice, 31, 2).getCode()); // no such group
        assertEquals(ErrorCode.BAD_REQUEST.code(), awaitError(alice, 31, 3).getCode());
        assertEquals(1, awaitSendAck(alice, 31, 4).getSeq());
        assertEquals(List.of(), rows(ConversationIds.single(alice, nobody)));
    }

    @Test
    void aRestartedServiceContinuesSeqsFromMysqlAndStillKnowsOldMessages() throws Exception {
        long alice = account();
        long bob = account();
        String conv = ConversationIds.single(alice, bob);
        send(alice, 41, 1, text("a", bob, "one"));
        send(bob, 42, 2, text("b", alice, "two"));
        SendAck first = awaitSendAck(alice, 41, 1);
        awaitSendAck(bob, 42, 2);

        logic.close();
        logic = new LogicService(config, database, redis, Clock.systemUTC()).start();

        send(alice, 43, 3, text("c", bob, "three"));
        send(alice, 43, 4, text("a", bob, "one")); // replay of the very first message
        assertEquals(3, awaitSendAck(alice, 43, 3).getSeq());
        SendAck replay = awaitSendAck(alice, 43, 4);
        assertEquals(first.getMsgId(), replay.getMsgId());
        assertEquals(1, replay.getSeq());
        assertEquals(List.of("1:a", "2:b", "3:c"), rows(conv));
    }

    // ---- helpers

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(
                new Account(uid, "user" + uid, "pbkdf2-sha256$1$AA$AA", "", 1));
        return uid;
    }

    private static SendRequest text(String clientMsgId, long target, String text) {
        return SendRequest.newBuilder()
                .setClientMsgId(clientMsgId)
                .setConversationType(ConversationType.SINGLE)
                .setTargetId(target)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText(text))
                .build();
    }

    private static UpstreamEnvelope envelope(long uid, long connectionId, int requestId, Command command,
            ByteString body) {
        return UpstreamEnvelope.newBuilder()
                .setGateId(GATE)
                .setConnectionId(connectionId)
                .setUid(uid)
                .setDeviceId("device-" + uid)
                .setPlatform(Platform.ANDROID)
                .setCommand(command.code())
                .setRequestId(requestId)
                .setBody(body)
                .setReceivedAt(System.currentTimeMillis())
                .build();
    }

    private static RecordMetadata send(long uid, long connectionId, int requestId, SendRequest req) throws Exception {
        String conv = ConversationIds.of(req.getConversationType(), uid, req.getTargetId());
        UpstreamEnvelope env = envelope(uid, connectionId, requestId, Command.SEND, req.toByteString()).toBuilder()
                .setConversationId(conv).build();
        return producer.send(new ProducerRecord<>(topics.upstream(), conv, env.toByteArray())).get();
    }

    private static SendAck awaitSendAck(long uid, long connectionId, int requestId) throws Exception {
        return SendAck.parseFrom(awaitReply(Command.SEND_ACK, uid, connectionId, requestId).getBody());
    }

    private static io.magpie.protocol.proto.Error awaitError(long uid, long connectionId, int requestId)
            throws Exception {
        return io.magpie.protocol.proto.Error.parseFrom(awaitReply(Command.ERROR, uid, connectionId, requestId).getBody());
    }

    private static PushTask awaitReply(Command command, long uid, long connectionId, int requestId) {
        PushTarget target = PushTarget.newBuilder().setUid(uid).setGateId(GATE).setConnectionId(connectionId).build();
        return awaitTask(t -> t.getCommand() == command.code() && t.getRequestId() == requestId
                && t.getTargetsList().equals(List.of(target)));
    }

    private static PushTask awaitTask(Predicate<PushTask> match) {
        return await().atMost(WAIT).until(() -> {
            Optional<PushTask> found = pushes.stream().filter(match).findFirst();
            if (found.isEmpty()) {
                for (ConsumerRecord<String, byte[]> r : pushConsumer.poll(Duration.ofMillis(200))) {
                    pushes.add(PushTask.parseFrom(r.value()));
                }
                found = pushes.stream().filter(match).findFirst();
            }
            return found;
        }, Optional::isPresent).get();
    }

    private static void awaitRows(String conv, int count) {
        await().atMost(WAIT).until(() -> rows(conv).size() >= count);
    }

    private static List<String> rows(String conv) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT seq, client_msg_id FROM message WHERE conversation_id = ? ORDER BY seq")) {
            ps.setString(1, conv);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getLong(1) + ":" + rs.getString(2));
                }
            }
        }
        return rows;
    }

    private static String conversation(long owner, String conv) throws Exception {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT last_seq, read_seq FROM conversation WHERE owner_uid = ? AND conversation_id = ?")) {
            ps.setLong(1, owner);
            ps.setString(2, conv);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) + "/" + rs.getLong(2) : "none";
            }
        }
    }

    private static long committed(TopicPartition tp) throws Exception {
        OffsetAndMetadata o = admin.listConsumerGroupOffsets(config.consumerGroup())
                .partitionsToOffsetAndMetadata().get().get(tp);
        return o == null ? -1 : o.offset();
    }
}
