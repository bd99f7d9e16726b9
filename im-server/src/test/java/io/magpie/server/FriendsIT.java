package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.DmPolicy;
import io.magpie.client.FriendListener;
import io.magpie.client.FriendRequestInfo;
import io.magpie.client.FriendRequests;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Friends, blocks and the direct message policy end to end (docs/PROTOCOL.md §9.13): the Java SDK on two devices
 * per user against every real role in this JVM on the real embedded MariaDB, Redis and Kafka. A friend request
 * flow is seen by both devices of both users (notices and the list synced by version); a blocked user's SEND and
 * a stranger's SEND under a friends-only policy are refused with their error codes and stored nowhere.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FriendsIT {

    private static final String PASSWORD = "correct horse battery";

    private Infrastructure infra;
    private TestIsolation isolation;
    private MagpieNode node;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
        node = TestNodes.allRoles(infra, isolation, "friends", Map.of());
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aFriendRequestFlowReachesBothDevicesOfBothUsersAndTheListSyncsByVersion() throws Exception {
        long alice = register("alice_fr");
        long bob = register("bob_fr");
        Device a1 = device("alice_fr", "alice-phone");
        Device a2 = device("alice_fr", "alice-laptop");
        Device b1 = device("bob_fr", "bob-phone");
        Device b2 = device("bob_fr", "bob-laptop");
        for (Device d : List.of(a1, a2, b1, b2)) {
            assertEquals(Set.of(), d.client.friends().sync().get(20, SECONDS));
        }

        FriendRequestInfo sent = a1.client.friends().request(bob, "hi bob, it's alice 🐦").get(20, SECONDS);
        assertEquals("PENDING", sent.state());

        for (Device b : List.of(b1, b2)) {
            Notice n = b.awaitNotice(NoticeType.NOTICE_FRIEND_REQUEST);
            assertEquals(alice, n.getUid());
            assertEquals(sent.requestId(), n.getFriendRequest().getRequestId());
            assertEquals("hi bob, it's alice 🐦", n.getFriendRequest().getMessage());
            assertEquals(List.of(sent.requestId()), b.requests.stream().map(FriendRequestInfo::requestId).toList());
        }
        a2.awaitNotice(NoticeType.NOTICE_FRIENDS_CHANGED);
        FriendRequests pending = b2.client.friends().requests().get(20, SECONDS);
        assertEquals(List.of(sent.requestId()), pending.incoming().stream().map(FriendRequestInfo::requestId).toList());
        assertEquals(List.of(), pending.outgoing());

        FriendRequestInfo accepted = b1.client.friends().accept(sent.requestId()).get(20, SECONDS);
        assertEquals("ACCEPTED", accepted.state());

        for (Device a : List.of(a1, a2)) {
            assertEquals(bob, a.awaitNotice(NoticeType.NOTICE_FRIEND_ACCEPTED).getUid());
            await().atMost(20, SECONDS).until(() -> a.client.friends().list().equals(Set.of(bob)));
        }
        b2.awaitNotice(NoticeType.NOTICE_FRIENDS_CHANGED);
        for (Device b : List.of(b1, b2)) {
            await().atMost(20, SECONDS).until(() -> b.client.friends().list().equals(Set.of(alice)));
        }
        assertEquals(2, friendRows(alice, bob), "one row per direction");
        assertTrue(b1.client.friends().requests().get(20, SECONDS).incoming().isEmpty(), "no longer pending");

        // answering twice is refused, not applied again
        ExecutionException again = assertThrows(ExecutionException.class,
                () -> b2.client.friends().accept(sent.requestId()).get(20, SECONDS));
        assertEquals("NOT_PENDING", assertInstanceOf(MagpieApiException.class, again.getCause()).code());

        long versionBefore = a2.client.friends().version();
        b2.client.friends().remove(alice).get(20, SECONDS);
        for (Device a : List.of(a1, a2)) {
            assertEquals(bob, a.awaitNotice(NoticeType.NOTICE_FRIEND_REMOVED).getUid());
        }
        for (Device d : List.of(a1, a2, b1, b2)) {
            await().atMost(20, SECONDS).until(() -> d.client.friends().list().isEmpty());
        }
        assertTrue(a2.client.friends().version() > versionBefore, "the removal moved the version");
    }

    @Test
    void requestsThatCrossAcceptEachOtherAndARequestToABlockerIsRefused() throws Exception {
        long carol = register("carol_fr");
        long dan = register("dan_fr");
        long eve = register("eve_fr");
        Device c = device("carol_fr", "carol-phone");
        Device d = device("dan_fr", "dan-phone");
        Device e = device("eve_fr", "eve-phone");

        FriendRequestInfo first = c.client.friends().request(dan, "").get(20, SECONDS);
        FriendRequestInfo crossing = d.client.friends().request(carol, "you too").get(20, SECONDS);
        assertEquals(first.requestId(), crossing.requestId(), "dan's request accepted carol's");
        assertEquals("ACCEPTED", crossing.state());
        assertEquals(Set.of(carol), d.client.friends().list());
        c.awaitNotice(NoticeType.NOTICE_FRIEND_ACCEPTED);
        await().atMost(20, SECONDS).until(() -> c.client.friends().list().equals(Set.of(dan)));

        ExecutionException friendsAlready = assertThrows(ExecutionException.class,
                () -> c.client.friends().request(dan, "again").get(20, SECONDS));
        assertEquals("ALREADY_FRIENDS", assertInstanceOf(MagpieApiException.class, friendsAlready.getCause()).code());

        e.client.friends().block(carol).get(20, SECONDS);
        assertEquals(List.of(carol), e.client.friends().blocks().get(20, SECONDS));
        ExecutionException blocked = assertThrows(ExecutionException.class,
                () -> c.client.friends().request(eve, "hello").get(20, SECONDS));
        MagpieApiException refusal = assertInstanceOf(MagpieApiException.class, blocked.getCause());
        assertEquals(403, refusal.status());
        assertEquals("BLOCKED", refusal.code());
        assertTrue(c.client.friends().requests().get(20, SECONDS).outgoing().isEmpty(), "nothing stored");

        ExecutionException tooLong = assertThrows(ExecutionException.class,
                () -> e.client.friends().request(dan, "x".repeat(201)).get(20, SECONDS));
        assertEquals(400, assertInstanceOf(MagpieApiException.class, tooLong.getCause()).status());
    }

    @Test
    void firstRequestsCrossingAtTheSameMomentMakeEveryPairFriendsWithoutAnError() throws Exception {
        int pairs = 8;
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<CompletableFuture<java.net.http.HttpResponse<String>>> answers = new ArrayList<>();
        List<long[]> uids = new ArrayList<>();
        List<java.net.http.HttpRequest> requests = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            long a = register("x" + p + "a_fr");
            long b = register("x" + p + "b_fr");
            uids.add(new long[] {a, b});
            requests.add(friendRequest(login("x" + p + "a_fr"), b));
            requests.add(friendRequest(login("x" + p + "b_fr"), a));
        }
        requests.forEach(r -> answers.add(http.sendAsync(r, java.net.http.HttpResponse.BodyHandlers.ofString())));
        for (CompletableFuture<java.net.http.HttpResponse<String>> answer : answers) {
            java.net.http.HttpResponse<String> r = answer.get(30, SECONDS);
            assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.statusCode() + " " + r.body());
        }
        for (long[] pair : uids) {
            assertEquals(2, friendRows(pair[0], pair[1]), "uid " + pair[0] + " and uid " + pair[1]
                    + " are friends, one row each");
        }
    }

    @Test
    void aBlockedUsersSendIsRefusedAndStoredNowhereUntilUnblocked() throws Exception {
        long frank = register("frank_fr");
        long grace = register("grace_fr");
        Device f = device("frank_fr", "frank-phone");
        Device g1 = device("grace_fr", "grace-phone");
        Device g2 = device("grace_fr", "grace-laptop");

        g1.client.friends().block(frank).get(20, SECONDS);
        g2.awaitNotice(NoticeType.NOTICE_BLOCKS_CHANGED);

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> f.client.sendText(ConversationType.SINGLE, grace, "can you hear me?").get(20, SECONDS));
        MagpieErrorException error = assertInstanceOf(MagpieErrorException.class, refused.getCause());
        assertEquals(ErrorCode.BLOCKED, error.code());
        String conversation = conversationOf(frank, grace);
        assertEquals(0, count("SELECT COUNT(*) FROM message WHERE conversation_id = ?", conversation),
                "no message row");
        assertEquals(0, count("SELECT COUNT(*) FROM conversation WHERE conversation_id = ?", conversation),
                "no conversation row for either side");

        // grace may still write to frank: a block stops the blocked user only
        assertEquals(1, g1.client.sendText(ConversationType.SINGLE, frank, "I blocked you").get(20, SECONDS).getSeq());

        g2.client.friends().unblock(frank).get(20, SECONDS);
        assertEquals(2, f.client.sendText(ConversationType.SINGLE, grace, "unblocked").get(20, SECONDS).getSeq());
        await().atMost(20, SECONDS).until(() -> g1.received.stream().anyMatch(m -> m.getSenderUid() == frank));
        assertTrue(g1.received.stream().filter(m -> m.getSenderUid() == frank)
                .allMatch(m -> m.getContent().getText().equals("unblocked")), "the refused message never arrived");
    }

    @Test
    void aFriendsOnlyPolicyRefusesAStrangersSendAndLetsAFriendsThrough() throws Exception {
        long heidi = register("heidi_fr");
        long ivan = register("ivan_fr");
        long judy = register("judy_fr");
        Device h = device("heidi_fr", "heidi-phone");
        Device i = device("ivan_fr", "ivan-phone");
        Device j = device("judy_fr", "judy-phone");
        assertEquals(DmPolicy.ANYONE, h.client.friends().dmPolicy().get(20, SECONDS));

        // an existing conversation: under FRIENDS a non-friend cannot send at all
        assertEquals(1, i.client.sendText(ConversationType.SINGLE, heidi, "before").get(20, SECONDS).getSeq());
        h.client.friends().setDmPolicy(DmPolicy.FRIENDS).get(20, SECONDS);
        assertEquals(DmPolicy.FRIENDS, h.client.friends().dmPolicy().get(20, SECONDS));

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> i.client.sendText(ConversationType.SINGLE, heidi, "after").get(20, SECONDS));
        assertEquals(ErrorCode.NOT_FRIEND, assertInstanceOf(MagpieErrorException.class, refused.getCause()).code());
        assertEquals(1, count("SELECT COUNT(*) FROM message WHERE conversation_id = ?", conversationOf(ivan, heidi)),
                "only the message from before the policy");

        // judy becomes a friend first and gets through
        FriendRequestInfo r = j.client.friends().request(heidi, "let me in").get(20, SECONDS);
        h.client.friends().accept(r.requestId()).get(20, SECONDS);
        assertEquals(1, j.client.sendText(ConversationType.SINGLE, heidi, "friends now").get(20, SECONDS).getSeq());
        // heidi herself may still write to a stranger
        assertEquals(2, h.client.sendText(ConversationType.SINGLE, ivan, "hi ivan").get(20, SECONDS).getSeq());
    }

    private long register(String name) {
        return new AccountClient(config("setup")).register(name, PASSWORD, name);
    }

    private Device device(String name, String deviceId) throws Exception {
        ClientConfig config = config(deviceId);
        Credentials credentials = new AccountClient(config).login(name, PASSWORD, deviceId, Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        Device d = new Device(client, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>());
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                d.received.add(message);
            }
        });
        client.friends().addListener(new FriendListener() {
            @Override
            public void onFriendNotice(Notice notice) {
                d.notices.add(notice);
            }

            @Override
            public void onFriendRequest(FriendRequestInfo request) {
                d.requests.add(request);
            }
        });
        client.connect(credentials).get(20, SECONDS);
        return d;
    }

    private String login(String name) {
        return new AccountClient(config("setup")).login(name, PASSWORD, "setup", Platform.ANDROID).token();
    }

    private java.net.http.HttpRequest friendRequest(String token, long to) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.accountApiPort()
                        + "/v1/friends/requests"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"toUid\": " + to + "}")).build();
    }

    private ClientConfig config(String device) {
        return ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .clock(Clock.systemUTC())
                .build();
    }

    private static String conversationOf(long a, long b) {
        return "s_" + Math.min(a, b) + "_" + Math.max(a, b);
    }

    private long friendRows(long a, long b) throws Exception {
        try (Connection c = DriverManager.getConnection(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM friend WHERE NOT deleted AND"
                     + " ((owner_uid = ? AND friend_uid = ?) OR (owner_uid = ? AND friend_uid = ?))")) {
            ps.setLong(1, a);
            ps.setLong(2, b);
            ps.setLong(3, b);
            ps.setLong(4, a);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long count(String sql, String conversationId) throws Exception {
        try (Connection c = DriverManager.getConnection(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private record Device(MagpieClient client, List<Notice> notices, List<FriendRequestInfo> requests,
            List<Message> received) {

        Notice awaitNotice(NoticeType type) {
            await().atMost(20, SECONDS).until(() -> notices.stream().anyMatch(n -> n.getType() == type));
            return notices.stream().filter(n -> n.getType() == type).findFirst().orElseThrow();
        }
    }
}
