package io.magpie.router.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.magpie.das.Database;
import io.magpie.das.DeviceToken;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.MuteSettings;
import io.magpie.das.MysqlConfig;
import io.magpie.bus.Topics;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The notifier worker on real Kafka and MariaDB, posting to a real HTTP endpoint on loopback (the
 * JDK's HttpServer playing the operator's webhook relay, answering with scripted statuses).
 */
@ExtendWith(InfrastructureExtension.class)
class NotifierServiceIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Database database;
    private static HttpServer webhook;
    private static NotifierService notifier;
    private static NotifierConfig config;
    private static Topics topics;
    private static Admin admin;
    private static KafkaProducer<String, byte[]> producer;
    private static DeviceTokenRepository tokens;

    /** Every POST the webhook received, in order. */
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    /** Statuses to answer per "token" or per "token#seq" (tried first), in order; 200 once used up. */
    private static final Map<String, Deque<Integer>> script = new ConcurrentHashMap<>();

    record Received(JsonNode body, String authorization, String contentType, int answeredStatus) {
        String token() {
            return body.get("token").asText();
        }

        long seq() {
            return body.get("seq").asLong();
        }
    }

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) throws Exception {
        topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 2);
        database = Database.open(new MysqlConfig(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        tokens = new DeviceTokenRepository(database.dataSource());

        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/push", NotifierServiceIT::answer);
        webhook.start();

        config = NotifierConfig.builder(infra.kafkaBootstrap())
                .topicPrefix(iso.topicPrefix())
                .webhookUrl("http://127.0.0.1:" + webhook.getAddress().getPort() + "/push")
                .webhookAuthorization("Bearer relay-secret")
                .maxAttempts(MAX_ATTEMPTS)
                .retryBackoffMin(Duration.ofMillis(50))
                .retryBackoffMax(Duration.ofMillis(200))
                .build();
        notifier = new NotifierService(config, tokens, new MuteSettings(database.dataSource()),
                new MessageRepository(database.dataSource()), PushNotifierRegistry.builtIn(config)).start();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {producer, notifier, admin, database}) {
            if (c != null) {
                c.close();
            }
        }
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String token = body.path("token").asText();
            // a batch's notifications go out in parallel: a status meant for one task is scripted by its seq
            Deque<Integer> statuses = script.getOrDefault(token + "#" + body.path("seq").asLong(), script.get(token));
            Integer scripted = statuses == null ? null : statuses.poll();
            int status = scripted == null ? 200 : scripted;
            received.add(new Received(body, exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), status));
            byte[] reply = (status == 200 ? "ok" : "scripted " + status).getBytes();
            exchange.sendResponseHeaders(status, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        }
    }

    @Test
    void aTaskIsPostedAsJsonForTheUsersWebhookToken() throws Exception {
        tokens.upsert(new DeviceToken(101, "phone", "ANDROID", "webhook", "tok-101", 1));
        tokens.upsert(new DeviceToken(101, "tablet", "IOS", "apns", "apns-101", 1)); // no APNs adapter here

        produce(task(101, "s_100_101", 7, "hello there"));

        Received r = awaitPost("tok-101", 7);
        assertEquals(JSON.readTree("{\"uid\":101,\"deviceId\":\"phone\",\"provider\":\"webhook\",\"token\":\"tok-101\","
                + "\"conversationId\":\"s_100_101\",\"msgId\":9007,\"seq\":7,\"senderUid\":100,"
                + "\"preview\":\"hello there\",\"mentioned\":false}"), r.body());
        assertEquals("Bearer relay-secret", r.authorization());
        assertEquals("application/json", r.contentType());
    }

    @Test
    void aMutedConversationIsNotNotified() throws Exception {
        tokens.upsert(new DeviceToken(201, "phone", "ANDROID", "webhook", "tok-201", 1));
        execute("INSERT INTO conversation (owner_uid, conversation_id, conversation_type, peer_id, muted, updated_at)"
                + " VALUES (201, 's_200_201', 1, 200, TRUE, 0)");
        execute("INSERT INTO group_member (group_id, uid, muted, joined_at) VALUES (900, 201, TRUE, 0)");

        // same key, one partition: the unmuted one is handled after the two muted ones
        produce(task(201, "s_200_201", 1, "muted chat"));
        produce(task(201, "g_900", 2, "muted group"));
        produce(task(201, "s_201_202", 3, "not muted"));

        awaitPost("tok-201", 3);
        assertEquals(List.of(3L), postsFor("tok-201").stream().map(Received::seq).toList());
    }

    @Test
    void serverErrorsAreRetriedUntilTheWebhookAccepts() throws Exception {
        tokens.upsert(new DeviceToken(301, "phone", "ANDROID", "webhook", "tok-301", 1));
        script.put("tok-301", new ArrayDeque<>(List.of(500, 503)));

        RecordMetadata sent = produce(task(301, "s_300_301", 1, "retry me"));

        awaitCommitted(sent);
        assertEquals(List.of(500, 503, 200), postsFor("tok-301").stream().map(Received::answeredStatus).toList());
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        tokens.upsert(new DeviceToken(401, "phone", "ANDROID", "webhook", "tok-401", 1));
        script.put("tok-401#1", new ArrayDeque<>(List.of(400)));

        produce(task(401, "s_400_401", 1, "refused"));
        RecordMetadata second = produce(task(401, "s_400_401", 2, "accepted"));

        awaitCommitted(second);
        assertEquals(List.of("1:400", "2:200"),
                postsFor("tok-401").stream().map(r -> r.seq() + ":" + r.answeredStatus()).sorted().toList());
    }

    @Test
    void aWebhookThatKeepsFailingIsGivenUpAndTheNextTaskIsStillNotified() throws Exception {
        tokens.upsert(new DeviceToken(501, "phone", "ANDROID", "webhook", "tok-501", 1));
        tokens.upsert(new DeviceToken(502, "phone", "ANDROID", "webhook", "tok-502", 1));
        script.put("tok-501", new ArrayDeque<>(List.of(500, 500, 500, 500, 500, 500, 500, 500)));

        produce("k-5", task(501, "s_500_501", 1, "never accepted"));
        produce("k-5", task(502, "s_500_502", 1, "behind it"));

        awaitPost("tok-502", 1);
        assertEquals(MAX_ATTEMPTS, postsFor("tok-501").size(), "attempts are bounded");
    }

    // ---- helpers

    private static OfflineTask task(long uid, String conversation, long seq, String preview) {
        return OfflineTask.newBuilder().setUid(uid).setConversationId(conversation).setMsgId(9000 + seq).setSeq(seq)
                .setSenderUid(uid - 1).setPreview(preview).setCreatedAt(1).build();
    }

    private static RecordMetadata produce(OfflineTask task) throws Exception {
        return produce(Long.toString(task.getUid()), task);
    }

    private static RecordMetadata produce(String key, OfflineTask task) throws Exception {
        return producer.send(new ProducerRecord<>(topics.offline(), key, task.toByteArray())).get();
    }

    private static List<Received> postsFor(String token) {
        return received.stream().filter(r -> r.token().equals(token)).toList();
    }

    private static Received awaitPost(String token, long seq) {
        return await().atMost(WAIT).until(
                () -> postsFor(token).stream().filter(r -> r.seq() == seq && r.answeredStatus() == 200).findFirst(),
                java.util.Optional::isPresent).get();
    }

    private static void awaitCommitted(RecordMetadata sent) {
        TopicPartition tp = new TopicPartition(sent.topic(), sent.partition());
        await().atMost(WAIT).until(() -> {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(config.consumerGroup())
                    .partitionsToOffsetAndMetadata().get().get(tp);
            return o != null && o.offset() > sent.offset();
        });
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }
}
