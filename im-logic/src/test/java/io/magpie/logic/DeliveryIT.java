package io.magpie.logic;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.MessageLite;
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
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupUids;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import io.magpie.engines.TestIsolation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
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
 * Groups, SYNC and PULL through the real pipeline: groups created over HTTP with bearer tokens,
 * SEND / SYNC / PULL envelopes produced to the real {@code upstream} topic as a gate would, answers
 * and pushes read from the real {@code push} topic, rows read from MariaDB. Groups of more than
 * {@value #LARGE_GROUP_THRESHOLD} members go the read-diffusion path.
 */
@ExtendWith(InfrastructureExtension.class)
class DeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GATE = "gate-delivery-it";
    private static final String SECRET = "a-delivery-it-secret-of-32-bytes-long!!";
    private static final int LARGE_GROUP_THRESHOLD = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every answer the tests get is checked against the document the API serves. */
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");

    private static Topics topics;
    private static Database database;
    private static RedisStore redis;
    private static LogicService logic;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> pushConsumer;
    private static Admin admin;
    private static final List<PushTask> pushes = new ArrayList<>();
    private static long nextUid = 8_000_000;
    private static int nextRequest = 1;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        topics = new Topics(iso.topicPrefix());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
        topics.ensure(admin, 3);
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        redis = RedisStore.connect(new RedisConfig(infra.redisUri(), iso.redisKeyPrefix()));
        LogicConfig config = LogicConfig.builder(infra.kafkaBootstrap(), SECRET)
                .topicPrefix(iso.topicPrefix())
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000)
                .largeGroupThreshold(LARGE_GROUP_THRESHOLD)
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
    void aGroupMessageIsOneRowWithTheNextSeqAndOnePushTaskNamingEveryMember() throws Exception {
        long alice = account();
        long bob = account();
        long carol = account();
        long gid = createGroup(alice, bob, carol);
        String conv = ConversationIds.group(gid);

        List<SendAck> acks = new ArrayList<>();
        acks.add(sendAndAwaitAck(alice, 11, group("g1", gid, "hello all")));
        acks.add(sendAndAwaitAck(alice, 11, group("g2", gid, "second")));
        acks.add(sendAndAwaitAck(bob, 21, group("g3", gid, "from bob")));

        // seq 1 is the group's GROUP_CREATED system message, stored with the group
        assertEquals(List.of(2L, 3L, 4L), acks.stream().map(SendAck::getSeq).toList());
        assertEquals(List.of("1:group-created-" + gid, "2:g1", "3:g2", "4:g3"), rows(conv),
                "one message row per message");
        for (SendAck ack : acks) {
            PushTask push = awaitTask(t -> t.getCommand() == Command.PUSH.code() && t.getMsgId() == ack.getMsgId());
            long sender = push.getSenderUid();
            long connection = sender == alice ? 11 : 21;
            assertEquals(Set.of(
                    PushTarget.newBuilder().setUid(sender).setExcludeGateId(GATE).setExcludeConnectionId(connection)
                            .build(),
                    PushTarget.newBuilder().setUid(sender == alice ? bob : alice).build(),
                    PushTarget.newBuilder().setUid(carol).build()), Set.copyOf(push.getTargetsList()));
            assertTrue(push.getOfflineNotify());
            assertEquals(conv, push.getConversationId());
            Message m = Push.parseFrom(push.getBody()).getMessages(0);
            assertEquals(gid, m.getTargetId());
            assertEquals(ConversationType.GROUP, m.getConversationType());
            assertEquals(1, pushes.stream().filter(t -> t.getCommand() == Command.PUSH.code()
                    && t.getMsgId() == ack.getMsgId()).count(), "ONE push task per message, not one per member");
        }
        // write diffusion (3 members = the threshold): every member's row moved, senders read their own
        assertEquals("4/1", conversation(carol, conv), "GROUP_CREATED counts as read");
        assertEquals("4/4", conversation(bob, conv));
        assertEquals("4/3", conversation(alice, conv));
    }

    @Test
    void aNonMemberIsForbiddenAndNothingIsStored() throws Exception {
        long alice = account();
        long bob = account();
        long mallory = account();
        long gid = createGroup(alice, bob);

        int request = send(mallory, 31, group("m1", gid, "let me in"));

        io.magpie.protocol.proto.Error error = awaitError(mallory, 31, request);
        assertEquals(ErrorCode.FORBIDDEN.code(), error.getCode());
        assertTrue(error.getMessage().contains("not a member of group " + gid), error.getMessage());
        assertEquals(List.of("1:group-created-" + gid), rows(ConversationIds.group(gid)));
    }

    @Test
    void syncReturnsTheConversationsChangedSinceAVersionOldestFirst() throws Exception {
        long alice = account();
        long bob = account();
        long gid = createGroup(alice, bob);
        String single = ConversationIds.single(alice, bob);
        String group = ConversationIds.group(gid);
        for (int i = 1; i <= 3; i++) {
            sendAndAwaitAck(alice, 41, text("s" + i, bob, "single " + i));
        }
        sendAndAwaitAck(bob, 42, group("gm1", gid, "group one"));

        SyncAck all = sync(bob, 0, 10);

        assertEquals(List.of(single, group), ids(all), "oldest change first");
        ConversationInfo s = all.getConversations(0);
        assertEquals(3, s.getLastSeq());
        assertEquals(0, s.getReadSeq());
        assertEquals(alice, s.getTargetId());
        assertEquals("single 3", s.getLastMessage().getContent().getText());
        assertEquals(bob, s.getLastMessage().getTargetId(), "as the sender addressed it");
        ConversationInfo g = all.getConversations(1);
        assertEquals(2, g.getLastSeq(), "after GROUP_CREATED at seq 1");
        assertEquals(2, g.getReadSeq(), "bob sent it");
        assertEquals(gid, g.getTargetId());
        assertTrue(s.getVersion() < g.getVersion());
        assertFalse(all.getHasMore());

        // only what changed after a version
        assertEquals(List.of(group), ids(sync(bob, s.getVersion(), 10)));
        // the cursor handed back is held behind recent changes, so a late commit is not skipped: a SYNC from
        // it returns them again (the client overwrites what it has)
        assertTrue(all.getVersion() <= g.getVersion());
        assertEquals(List.of(single, group), ids(sync(bob, all.getVersion(), 10)));

        // paged: each page moves the cursor exactly to its newest row
        SyncAck page1 = sync(bob, 0, 1);
        assertEquals(List.of(single), ids(page1));
        assertTrue(page1.getHasMore());
        assertEquals(s.getVersion(), page1.getVersion());
        SyncAck page2 = sync(bob, page1.getVersion(), 1);
        assertEquals(List.of(group), ids(page2));
        assertFalse(page2.getHasMore());

        // a setting changed over HTTP is a change too
        assertEquals(204, put("/v1/conversations/" + single + "/mute", bob, "{\"muted\":true}").statusCode());
        SyncAck afterMute = sync(bob, g.getVersion(), 10);
        assertEquals(List.of(single), ids(afterMute));
        assertTrue(afterMute.getConversations(0).getMuted());
    }

    @Test
    void pullPagesASeqRangeAndOnlyMembersMayPullWhatTheyMaySee() throws Exception {
        long alice = account();
        long bob = account();
        long carol = account();
        long gid = createGroup(alice, bob);
        String single = ConversationIds.single(alice, bob);
        String group = ConversationIds.group(gid);
        for (int i = 1; i <= 5; i++) {
            sendAndAwaitAck(alice, 51, text("p" + i, bob, "n" + i));
        }
        sendAndAwaitAck(alice, 51, group("q1", gid, "before carol"));
        sendAndAwaitAck(alice, 51, group("q2", gid, "before carol too"));

        PullAck first = pull(bob, single, 1, 0, 2);
        assertEquals(List.of(1L, 2L), seqs(first));
        assertTrue(first.getHasMore());
        assertEquals(List.of(3L, 4L), seqs(pull(bob, single, 3, 0, 2)));
        PullAck last = pull(bob, single, 5, 0, 2);
        assertEquals(List.of(5L), seqs(last));
        assertFalse(last.getHasMore());
        PullAck range = pull(alice, single, 2, 3, 10);
        assertEquals(List.of(2L, 3L), seqs(range));
        assertFalse(range.getHasMore());
        assertEquals("n2", range.getMessages(0).getContent().getText());
        assertEquals(bob, range.getMessages(0).getTargetId());

        assertEquals(ErrorCode.FORBIDDEN.code(), pullRefused(carol, single).getCode());
        assertEquals(ErrorCode.FORBIDDEN.code(), pullRefused(carol, group).getCode());
        assertEquals(ErrorCode.BAD_REQUEST.code(), pullRefused(carol, "s_9_3").getCode());

        // alice invites carol with a GROUP command (seq 4, after GROUP_CREATED and q1, q2): carol sees from it on
        int invite = produce(alice, 51, Command.GROUP, group, GroupRequest.newBuilder().setGroupId(gid)
                .setClientMsgId("inv-carol").setInvite(GroupUids.newBuilder().addUids(carol)).build());
        GroupAck invited = GroupAck.parseFrom(awaitReply(Command.GROUP_ACK, alice, 51, invite).getBody());
        assertEquals(4, invited.getSeq());
        assertEquals(List.of(4L), seqs(pull(carol, group, 1, 0, 10)));
        sendAndAwaitAck(bob, 52, group("q3", gid, "welcome carol"));
        assertEquals(List.of(4L, 5L), seqs(pull(carol, group, 1, 0, 10)));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(pull(bob, group, 1, 0, 10)));
        ConversationInfo carolsView = sync(carol, 0, 10).getConversationsList().stream()
                .filter(c -> c.getConversationId().equals(group)).findFirst().orElseThrow();
        assertEquals(3, carolsView.getClearedSeq());
        assertEquals(5, carolsView.getLastSeq());
    }

    @Test
    void aLargeGroupIsSyncedFromTheGroupRowAndLooksTheSameAsASmallOne() throws Exception {
        long alice = account();
        long bob = account();
        long carol = account();
        long dave = account();
        long small = createGroup(alice, bob, carol);
        long large = createGroup(alice, bob, carol, dave);
        for (int i = 1; i <= 2; i++) {
            sendAndAwaitAck(alice, 61, group("sm" + i, small, "text " + i));
            sendAndAwaitAck(alice, 61, group("lg" + i, large, "text " + i));
        }

        for (long member : new long[] {alice, bob, carol}) {
            Map<String, ConversationInfo> view = sync(member, 0, 10).getConversationsList().stream()
                    .collect(Collectors.toMap(ConversationInfo::getConversationId, c -> c));
            ConversationInfo viaRows = view.get(ConversationIds.group(small));
            ConversationInfo viaGroup = view.get(ConversationIds.group(large));
            assertEquals(sameViewOf(viaRows, small), sameViewOf(viaGroup, large), "uid " + member);
            assertEquals(3, viaGroup.getLastSeq(), "GROUP_CREATED, then two messages");
            assertEquals(member == alice ? 3 : 1, viaGroup.getReadSeq());
        }
        // read diffusion: the members' rows were not written per message, the group row was
        assertEquals("1/1", conversation(bob, ConversationIds.group(large)));
        assertEquals("3/1", conversation(bob, ConversationIds.group(small)));
        assertEquals("3/true", groupRow(large));
        assertEquals("3/false", groupRow(small));
        // still one message row and one push task naming all four members
        assertEquals(List.of("1:group-created-" + large, "2:lg1", "3:lg2"), rows(ConversationIds.group(large)));
        PushTask push = awaitTask(t -> t.getCommand() == Command.PUSH.code()
                && t.getConversationId().equals(ConversationIds.group(large)) && t.getSeq() == 3);
        assertEquals(Set.of(alice, bob, carol, dave), push.getTargetsList().stream().map(PushTarget::getUid)
                .collect(Collectors.toSet()));
    }

    // ---- helpers: accounts and HTTP

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(new Account(uid, "user" + uid, "pbkdf2-sha256$1$AA$AA", "",
                1));
        return uid;
    }

    private static String token(long uid) {
        return new TokenCodec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(new TokenClaims(uid, "d1", Platform.WEB, System.currentTimeMillis() + 600_000));
    }

    private long createGroup(long owner, long... members) throws Exception {
        String list = java.util.Arrays.stream(members).mapToObj(String::valueOf).collect(Collectors.joining(","));
        HttpResponse<String> r = post("/v1/groups", owner, "{\"name\":\"group of " + owner + "\",\"members\":[" + list
                + "]}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode g = JSON.readTree(r.body());
        return g.get("groupId").asLong();
    }

    private HttpResponse<String> post(String path, long caller, String body) throws Exception {
        return http(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)), caller);
    }

    private HttpResponse<String> put(String path, long caller, String body) throws Exception {
        return http(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)), caller);
    }

    private HttpResponse<String> http(HttpRequest.Builder b, long caller) throws Exception {
        return CONTRACT.send(http, b.header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token(caller)).build());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + logic.httpPort() + path);
    }

    // ---- helpers: frames as a gate forwards them

    private static SendRequest text(String clientMsgId, long peer, String text) {
        return SendRequest.newBuilder().setClientMsgId(clientMsgId).setConversationType(ConversationType.SINGLE)
                .setTargetId(peer).setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText(text))
                .build();
    }

    private static SendRequest group(String clientMsgId, long gid, String text) {
        return text(clientMsgId, gid, text).toBuilder().setConversationType(ConversationType.GROUP).build();
    }

    /** Produces the frame as the gate would (key = conversation id, or u_<uid> for SYNC); returns its request id. */
    private static int produce(long uid, long connectionId, Command command, String key, MessageLite body)
            throws Exception {
        int request = nextRequest++;
        UpstreamEnvelope env = UpstreamEnvelope.newBuilder()
                .setGateId(GATE).setConnectionId(connectionId).setUid(uid).setDeviceId("device-" + uid)
                .setPlatform(Platform.ANDROID).setCommand(command.code()).setRequestId(request)
                .setBody(body.toByteString()).setReceivedAt(System.currentTimeMillis()).setConversationId(key)
                .build();
        producer.send(new ProducerRecord<>(topics.upstream(), key, env.toByteArray())).get();
        return request;
    }

    private static int send(long uid, long connectionId, SendRequest req) throws Exception {
        return produce(uid, connectionId, Command.SEND,
                ConversationIds.of(req.getConversationType(), uid, req.getTargetId()), req);
    }

    private static SendAck sendAndAwaitAck(long uid, long connectionId, SendRequest req) throws Exception {
        int request = send(uid, connectionId, req);
        return SendAck.parseFrom(awaitReply(Command.SEND_ACK, uid, connectionId, request).getBody());
    }

    private static SyncAck sync(long uid, long since, int limit) throws Exception {
        int request = produce(uid, 90, Command.SYNC, "u_" + uid,
                SyncRequest.newBuilder().setSinceVersion(since).setLimit(limit).build());
        return SyncAck.parseFrom(awaitReply(Command.SYNC_ACK, uid, 90, request).getBody());
    }

    private static PullAck pull(long uid, String conv, long from, long to, int limit) throws Exception {
        int request = produce(uid, 91, Command.PULL, conv, PullRequest.newBuilder().setConversationId(conv)
                .setFromSeq(from).setToSeq(to).setLimit(limit).build());
        PullAck ack = PullAck.parseFrom(awaitReply(Command.PULL_ACK, uid, 91, request).getBody());
        assertEquals(conv, ack.getConversationId());
        return ack;
    }

    private static io.magpie.protocol.proto.Error pullRefused(long uid, String conv) throws Exception {
        int request = produce(uid, 92, Command.PULL, conv, PullRequest.newBuilder().setConversationId(conv).build());
        return awaitError(uid, 92, request);
    }

    private static io.magpie.protocol.proto.Error awaitError(long uid, long connectionId, int request)
            throws Exception {
        return io.magpie.protocol.proto.Error.parseFrom(awaitReply(Command.ERROR, uid, connectionId, request).getBody());
    }

    private static PushTask awaitReply(Command command, long uid, long connectionId, int request) {
        PushTarget target = PushTarget.newBuilder().setUid(uid).setGateId(GATE).setConnectionId(connectionId).build();
        return awaitTask(t -> t.getCommand() == command.code() && t.getRequestId() == request
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

    // ---- helpers: what the client and MySQL see

    private static List<String> ids(SyncAck ack) {
        return ack.getConversationsList().stream().map(ConversationInfo::getConversationId).toList();
    }

    private static List<Long> seqs(PullAck ack) {
        return ack.getMessagesList().stream().map(Message::getSeq).toList();
    }

    /** What a client shows of a group conversation, without the ids that differ between two groups. */
    private static String sameViewOf(ConversationInfo c, long gid) {
        assertEquals(gid, c.getTargetId());
        Message last = c.getLastMessage();
        return c.getConversationType() + " last=" + c.getLastSeq() + " read=" + c.getReadSeq() + " cleared="
                + c.getClearedSeq() + " unread=" + (c.getLastSeq() - c.getReadSeq()) + " muted=" + c.getMuted()
                + " deleted=" + c.getDeleted() + " lastMessage=" + last.getSeq() + "/" + last.getSenderUid() + "/"
                + last.getContent().getText() + " version>0=" + (c.getVersion() > 0);
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
        return one("SELECT CONCAT(last_seq, '/', read_seq) FROM conversation WHERE owner_uid = " + owner
                + " AND conversation_id = '" + conv + "'");
    }

    private static String groupRow(long gid) throws Exception {
        return one("SELECT CONCAT(last_seq, '/', IF(large, 'true', 'false')) FROM im_group WHERE group_id = " + gid);
    }

    private static String one(String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }
}
