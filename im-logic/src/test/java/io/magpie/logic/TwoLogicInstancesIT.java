package io.magpie.logic;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.registry.RedisConfig;
import io.magpie.registry.RedisStore;
import io.magpie.bus.Topics;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two real logic instances in one consumer group over the real Kafka, MariaDB and Redis: a second
 * instance joins mid-stream, then the first leaves. Every partition is claimed through the fence by
 * whoever owns it, every SEND is acknowledged with the seq it is stored at, and every conversation
 * holds 1..n without a hole or a duplicate. (A frozen owner is covered by {@code PartitionFencingIT}.)
 */
@ExtendWith(InfrastructureExtension.class)
class TwoLogicInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String GATE = "gate-two-logic";
    private static final int CONVERSATIONS = 6;

    private static Infrastructure infra;
    private static Topics topics;
    private static Database database;
    private static RedisStore redis;
    private static LogicConfig config;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> pushConsumer;
    private static Admin admin;
    private static final List<AutoCloseable> logics = new ArrayList<>();
    private static final Map<String, SendAck> acks = new HashMap<>();
    private static long nextUid = 8_000_000;

    @BeforeAll
    static void start(Infrastructure infrastructure, TestIsolation iso) {
        infra = infrastructure;
        topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 3);
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        config = LogicConfig.builder(infra.kafkaBootstrap(), "a-two-logic-it-secret-of-32-bytes-long!")
                .topicPrefix(iso.topicPrefix())
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000)
                .build();
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
    static void stop() throws Exception {
        for (AutoCloseable l : logics) {
            l.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {pushConsumer, producer, redis, database, admin}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aSecondInstanceJoiningAndTheFirstLeavingKeepEverySeqOnceAndEveryPartitionFenced() throws Exception {
        long[][] pairs = new long[CONVERSATIONS][];
        for (int i = 0; i < CONVERSATIONS; i++) {
            pairs[i] = new long[] {account(), account()};
        }
        LogicService first = logic();
        sendRound(pairs, 1);
        awaitAcks(pairs, 1);

        LogicService second = logic(); // the group rebalances: some partitions move to the second instance
        sendRound(pairs, 2);
        awaitAcks(pairs, 2);

        first.close(); // every partition moves to the second instance
        sendRound(pairs, 3);
        awaitAcks(pairs, 3);

        for (long[] pair : pairs) {
            String conv = ConversationIds.single(pair[0], pair[1]);
            List<String> expected = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                for (int m = 1; m <= 3; m++) {
                    int seq = (round - 1) * 3 + m;
                    expected.add(seq + ":" + clientMsgId(pair[0], round, m));
                    assertEquals(seq, acks.get(clientMsgId(pair[0], round, m)).getSeq(), "ack carries the stored seq");
                }
            }
            assertEquals(expected, rows(conv), "every seq once, in order, in " + conv);
        }
        Map<Integer, Long> epochs = new HashMap<>();
        Set<String> owners = new HashSet<>();
        fences(epochs, owners);
        assertEquals(Set.of(0, 1, 2), epochs.keySet(), "every upstream partition was claimed");
        assertTrue(epochs.values().stream().allMatch(e -> e >= 2), "each changed hands at least once: " + epochs);
        assertEquals(1, owners.size(), "the remaining instance owns them all: " + owners);
    }

    private static LogicService logic() {
        LogicService logic = new LogicService(config, database, redis, Clock.systemUTC()).start();
        logics.add(logic);
        return logic;
    }

    private static String clientMsgId(long sender, int round, int m) {
        return "u" + sender + "-r" + round + "-m" + m;
    }

    private static void sendRound(long[][] pairs, int round) throws Exception {
        for (long[] pair : pairs) {
            for (int m = 1; m <= 3; m++) {
                SendRequest req = SendRequest.newBuilder()
                        .setClientMsgId(clientMsgId(pair[0], round, m))
                        .setConversationType(ConversationType.SINGLE)
                        .setTargetId(pair[1])
                        .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hi " + m))
                        .build();
                String conv = ConversationIds.single(pair[0], pair[1]);
                UpstreamEnvelope env = UpstreamEnvelope.newBuilder()
                        .setGateId(GATE).setConnectionId(pair[0]).setUid(pair[0]).setDeviceId("device-" + pair[0])
                        .setPlatform(Platform.ANDROID).setCommand(Command.SEND.code()).setRequestId(round * 10 + m)
                        .setBody(req.toByteString()).setReceivedAt(System.currentTimeMillis())
                        .setConversationId(conv).build();
                producer.send(new ProducerRecord<>(topics.upstream(), conv, env.toByteArray())).get();
            }
        }
    }

    private static void awaitAcks(long[][] pairs, int round) {
        await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, byte[]> r : pushConsumer.poll(Duration.ofMillis(200))) {
                PushTask task = PushTask.parseFrom(r.value());
                if (task.getCommand() == Command.SEND_ACK.code()) {
                    SendAck ack = SendAck.parseFrom(task.getBody());
                    SendAck before = acks.putIfAbsent(ack.getClientMsgId(), ack);
                    if (before != null) {
                        // a replay after a rebalance may ack again: with the same message, never another
                        assertEquals(before.getMsgId(), ack.getMsgId(), ack.getClientMsgId());
                        assertEquals(before.getSeq(), ack.getSeq(), ack.getClientMsgId());
                    }
                }
            }
            for (long[] pair : pairs) {
                for (int m = 1; m <= 3; m++) {
                    if (!acks.containsKey(clientMsgId(pair[0], round, m))) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(new Account(uid, "user" + uid, "pbkdf2-sha256$1$AA$AA",
                "", 1));
        return uid;
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

    private static void fences(Map<Integer, Long> epochs, Set<String> owners) throws Exception {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT part, epoch, owner FROM partition_fence WHERE topic = ?")) {
            ps.setString(1, topics.upstream());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    epochs.put(rs.getInt(1), rs.getLong(2));
                    owners.add(rs.getString(3));
                }
            }
        }
    }
}
