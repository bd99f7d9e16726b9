package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SystemNotice;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's admin API end to end (docs/operations.md, "Admin API"): every role in this JVM on the real
 * embedded MariaDB, Redis and Kafka, users on the Java SDK, every admin answer checked against accounts.yaml.
 * A ban kicks the live connection (KICK ADMIN), the gate refuses the still-unexpired token, login answers 403
 * BANNED with the reason and until when; a mute refuses SENDs with ERROR MUTED until it is lifted; the lookup
 * shows the devices and the gate they are on; the stats count them.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {

    private static final String PASSWORD = SdkUsers.PASSWORD;
    private static final String ADMIN = "adminIT-9f3Kq2Lx7Pw4Zr8Nv1Bc6Md5Ht0Ys";
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private MagpieNode node;
    private final HttpClient http = HttpClient.newHttpClient();
    private SdkUsers users;

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        node = TestNodes.allRoles(infra, isolation, "adminapi", Map.of("logic.admin-token", ADMIN));
        users = new SdkUsers(node.accountApiPort(), node.lsbPort(), -1);
    }

    @AfterAll
    void stopNode() {
        if (users != null) {
            users.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void adminRoutesRefuseAMissingOrWrongTokenAndAUsersTokenAndNameUnknownUsers() throws Exception {
        long uid = register("adm_refusals");
        String userToken = new AccountClient(config("setup")).login("adm_refusals", PASSWORD, "setup",
                Platform.ANDROID).token();
        for (String token : new String[] {null, "not-the-admin-token-at-all-0123456789", userToken}) {
            assertError(call("GET", "/v1/admin/stats", token, null), 401, "UNAUTHORIZED", "admin");
            assertError(call("GET", "/v1/admin/users/" + uid, token, null), 401, "UNAUTHORIZED", "admin");
            assertError(call("PUT", "/v1/admin/users/" + uid + "/ban", token, "{}"), 401, "UNAUTHORIZED", "admin");
            assertError(call("PUT", "/v1/admin/users/" + uid + "/mute", token, "{}"), 401, "UNAUTHORIZED", "admin");
        }
        long unknown = 987_654_321_012L;
        assertError(call("GET", "/v1/admin/users/" + unknown, ADMIN, null), 404, "NOT_FOUND", "uid " + unknown);
        assertError(call("GET", "/v1/admin/users?username=nobody_here", ADMIN, null), 404, "NOT_FOUND", "nobody_here");
        assertError(call("PUT", "/v1/admin/users/" + unknown + "/ban", ADMIN, "{}"), 404, "NOT_FOUND", "uid");
        assertError(call("DELETE", "/v1/admin/users/" + unknown + "/ban", ADMIN, null), 404, "NOT_FOUND", "uid");
        assertError(call("PUT", "/v1/admin/users/" + unknown + "/mute", ADMIN, "{}"), 404, "NOT_FOUND", "uid");
        assertError(call("DELETE", "/v1/admin/users/" + unknown + "/mute", ADMIN, null), 404, "NOT_FOUND", "uid");
        assertError(call("POST", "/v1/admin/kick", ADMIN, "{\"uid\":" + unknown + "}"), 404, "NOT_FOUND", "uid");
        assertError(call("GET", "/v1/admin/users/abc", ADMIN, null), 400, "BAD_REQUEST", "positive integer");
        assertError(call("PUT", "/v1/admin/users/" + uid + "/ban", ADMIN, "{\"until\":1000}"), 400, "BAD_REQUEST",
                "future");
        assertError(call("PUT", "/v1/admin/users/" + uid + "/mute", ADMIN, "{\"reason\":\"" + "x".repeat(201)
                + "\"}"), 400, "BAD_REQUEST", "200");
        assertNull(json(call("GET", "/v1/admin/users/" + uid, ADMIN, null)).get("banned"), "nothing was imposed");
    }

    @Test
    void aLookupShowsTheProfileAndEveryDeviceWithTheGateItIsOnAndTheStatsCountThem() throws Exception {
        long uid = register("adm_lookup");
        Device phone = connect("adm_lookup", "lookup-phone");
        new AccountClient(config("lookup-laptop")).login("adm_lookup", PASSWORD, "lookup-laptop", Platform.IOS);

        JsonNode user = json(call("GET", "/v1/admin/users/" + uid, ADMIN, null));
        assertEquals(uid, user.get("uid").asLong());
        assertEquals("adm_lookup", user.get("username").asText());
        assertTrue(user.get("createdAt").asLong() > 0);
        JsonNode devices = user.get("devices");
        assertEquals(2, devices.size(), devices.toString());
        JsonNode laptop = devices.get(0);
        assertEquals("lookup-laptop", laptop.get("deviceId").asText());
        assertEquals("IOS", laptop.get("platform").asText());
        assertTrue(laptop.get("session").asBoolean());
        assertFalse(laptop.get("online").asBoolean(), "logged in over HTTP, never connected");
        JsonNode online = devices.get(1);
        assertEquals("lookup-phone", online.get("deviceId").asText());
        assertTrue(online.get("online").asBoolean());
        assertEquals(phone.ack.getGateId(), online.get("gateId").asText());
        assertTrue(online.has("connectionId"));
        assertEquals(uid, json(call("GET", "/v1/admin/users?username=adm_lookup", ADMIN, null)).get("uid").asLong());

        JsonNode stats = json(call("GET", "/v1/admin/stats", ADMIN, null));
        assertTrue(stats.get("onlineUsers").asLong() >= 1, stats.toString());
        assertTrue(stats.get("connections").asLong() >= 1, stats.toString());
        JsonNode gate = null;
        for (JsonNode g : stats.get("gates")) {
            if (g.get("gateId").asText().equals(phone.ack.getGateId())) {
                gate = g;
            }
        }
        assertNotNull(gate, "the phone's gate is listed: " + stats);
        assertTrue(gate.get("connections").asLong() >= 1 && gate.get("onlineUsers").asLong() >= 1, stats.toString());
    }

    @Test
    void aBanKicksTheConnectionRefusesTheOldTokenAtTheGateAndLoginUntilLifted() throws Exception {
        long uid = register("adm_banned");
        Device phone = connect("adm_banned", "ban-phone");
        Credentials old = phone.credentials;
        long until = Instant.now().plus(Duration.ofHours(2)).toEpochMilli();

        HttpResponse<String> banned = call("PUT", "/v1/admin/users/" + uid + "/ban", ADMIN,
                "{\"until\":" + until + ",\"reason\":\"spam reports 17\"}");

        assertEquals(200, banned.statusCode(), banned.body());
        JsonNode body = json(banned);
        assertEquals(until, body.get("ban").get("until").asLong());
        assertEquals("spam reports 17", body.get("ban").get("reason").asText());
        assertEquals("ban-phone", body.get("devices").get(0).asText());
        Kick kick = phone.awaitKick();
        assertEquals(KickReason.ADMIN, kick.getReason());
        assertTrue(kick.getMessage().contains("banned") && kick.getMessage().contains("spam reports 17"),
                kick.getMessage());
        assertTrue(old.expiresAt().isAfter(Instant.now()), "the access token has not expired");
        Error refused = rawLogin(old.token());
        assertEquals(ErrorCode.INVALID_TOKEN.code(), refused.getCode(), refused.getMessage());
        HttpResponse<String> login = call("POST", "/v1/sessions", null, "{\"username\":\"adm_banned\",\"password\":\""
                + PASSWORD + "\",\"deviceId\":\"ban-phone\",\"platform\":\"ANDROID\"}");
        assertError(login, 403, "BANNED", "spam reports 17");
        assertTrue(json(login).get("message").asText().contains(Instant.ofEpochMilli(until).toString()), login.body());
        assertError(call("POST", "/v1/sessions/refresh", null, "{\"refreshToken\":\"" + old.refreshToken() + "\"}"),
                401, "INVALID_REFRESH_TOKEN", "");
        JsonNode user = json(call("GET", "/v1/admin/users/" + uid, ADMIN, null));
        assertEquals(until, user.get("banned").get("until").asLong());
        assertEquals(0, user.get("devices").size(), "no session, no connection: " + user);

        HttpResponse<String> lifted = call("DELETE", "/v1/admin/users/" + uid + "/ban", ADMIN, null);
        assertEquals(200, lifted.statusCode(), lifted.body());
        assertTrue(json(lifted).get("lifted").asBoolean());
        assertFalse(json(call("DELETE", "/v1/admin/users/" + uid + "/ban", ADMIN, null)).get("lifted").asBoolean());
        assertEquals(200, call("POST", "/v1/sessions", null, "{\"username\":\"adm_banned\",\"password\":\"" + PASSWORD
                + "\",\"deviceId\":\"ban-phone\",\"platform\":\"ANDROID\"}").statusCode());
    }

    @Test
    void anOperatorKickOfOneDeviceEndsItsSessionAndLeavesTheOther() throws Exception {
        long uid = register("adm_kicked");
        Device phone = connect("adm_kicked", "kick-phone");
        Device tablet = connect("adm_kicked", "kick-tablet");

        HttpResponse<String> kicked = call("POST", "/v1/admin/kick", ADMIN, "{\"uid\":" + uid
                + ",\"deviceId\":\"kick-phone\",\"message\":\"lost phone\"}");

        assertEquals(200, kicked.statusCode(), kicked.body());
        assertEquals("kick-phone", json(kicked).get("devices").get(0).asText());
        assertEquals(KickReason.ADMIN, phone.awaitKick().getReason());
        assertEquals(ErrorCode.INVALID_TOKEN.code(), rawLogin(phone.credentials.token()).getCode());
        assertNull(rawLogin(tablet.credentials.token()), "the other device's token still logs in");
    }

    @Test
    void aMuteRefusesEverySendWithMutedNamingUntilWhenUntilItIsLifted() throws Exception {
        long carol = register("adm_muted");
        long dave = register("adm_peer");
        Device sender = connect("adm_muted", "mute-phone");
        var before = sender.client.sendText(ConversationType.SINGLE, dave, "before the mute").get(20, SECONDS);

        HttpResponse<String> muted = call("PUT", "/v1/admin/users/" + carol + "/mute", ADMIN,
                "{\"reason\":\"flooding\"}");

        assertEquals(200, muted.statusCode(), muted.body());
        assertEquals(0, json(muted).get("mute").get("until").asLong(), "until lifted");
        // the send path caches a sender's state for up to 5 s: the mute applies within that
        MagpieErrorException refused = await().atMost(30, SECONDS).until(() -> sendError(sender, dave),
                e -> e != null);
        assertEquals(ErrorCode.MUTED, refused.code());
        assertEquals("an operator muted you until an operator lifts it (reason: flooding); the message was not"
                + " sent", refused.getMessage());
        ExecutionException edit = assertThrows(ExecutionException.class, () -> sender.client.edit(
                before.getConversationId(), before.getSeq(), MessageContent.newBuilder().setType(MessageType.TEXT)
                        .setText("rewritten while muted").build()).get(20, SECONDS));
        MagpieErrorException editRefused = assertInstanceOf(MagpieErrorException.class, edit.getCause());
        assertEquals(ErrorCode.MUTED, editRefused.code(), "an EDIT is new content: muted too");
        assertTrue(editRefused.getMessage().endsWith("(reason: flooding); no edits while muted; nothing changed"),
                editRefused.getMessage());
        assertEquals("flooding", json(call("GET", "/v1/admin/users/" + carol, ADMIN, null)).get("muted")
                .get("reason").asText());

        assertTrue(json(call("DELETE", "/v1/admin/users/" + carol + "/mute", ADMIN, null)).get("lifted").asBoolean());
        await().atMost(30, SECONDS).until(() -> sendError(sender, dave) == null);
    }

    @Test
    void anOperatorDeletesAMessageForEveryoneWithoutWindowOrMembershipAndUnknownOnesAre404() throws Exception {
        register("adm_del_a");
        long bob = register("adm_del_b");
        Device alice = connect("adm_del_a", "del-a");
        List<RecalledMessage> recalls = new CopyOnWriteArrayList<>();
        Device bobPhone = connect("adm_del_b", "del-b", new MessageListener() {
            @Override
            public void onRecalled(RecalledMessage recalled) {
                recalls.add(recalled);
            }
        });
        var ack = alice.client.sendText(ConversationType.SINGLE, bob, "delete me").get(20, SECONDS);

        HttpResponse<String> deleted = call("DELETE", "/v1/admin/conversations/" + ack.getConversationId()
                + "/messages/" + ack.getSeq(), ADMIN, null);

        JsonNode body = applied(deleted, 200, "/v1/admin/conversations/" + ack.getConversationId() + "/messages/"
                + ack.getSeq());
        assertEquals(ack.getSeq(), body.get("seq").asLong());
        assertEquals(ack.getMsgId(), body.get("msgId").asLong());
        await().atMost(20, SECONDS).until(() -> !recalls.isEmpty());
        RecalledMessage recalled = recalls.get(0);
        assertEquals(ack.getSeq(), recalled.seq());
        assertEquals(0, recalled.recalledBy(), "the operator recalled it");
        assertEquals(body.get("version").asLong(), recalled.version());
        assertEquals(200, call("DELETE", "/v1/admin/conversations/" + ack.getConversationId() + "/messages/"
                + ack.getSeq(), ADMIN, null).statusCode(), "deleting it again changes nothing");
        assertError(call("DELETE", "/v1/admin/conversations/" + ack.getConversationId() + "/messages/9999", ADMIN,
                null), 404, "NOT_FOUND", "seq 9999");
        assertError(call("DELETE", "/v1/admin/conversations/x_1/messages/1", ADMIN, null), 400, "BAD_REQUEST", "x_1");
        assertError(call("DELETE", "/v1/admin/conversations/" + ack.getConversationId() + "/messages/1", null, null),
                401, "UNAUTHORIZED", "admin");
        assertTrue(bobPhone.kicks.isEmpty());
    }

    @Test
    void aSystemMessageToAUserArrivesInTheirConversationWithTheNoticeAccount() throws Exception {
        long team = register("adm_team");
        long carol = register("adm_notified");
        List<Message> got = new CopyOnWriteArrayList<>();
        connect("adm_notified", "notice-phone", new MessageListener() {
            @Override
            public void onMessage(Message message) {
                got.add(message);
            }
        });

        HttpResponse<String> sent = call("POST", "/v1/admin/users/" + carol + "/messages", ADMIN,
                "{\"fromUid\":" + team + ",\"title\":\"Security\",\"text\":\"A new device signed in.\"}");

        JsonNode body = applied(sent, 201, "/v1/admin/users/" + carol + "/messages");
        assertEquals("s_" + Math.min(team, carol) + "_" + Math.max(team, carol), body.get("conversationId").asText());
        await().atMost(20, SECONDS).until(() -> !got.isEmpty());
        Message m = got.get(0);
        assertEquals(team, m.getSenderUid());
        assertEquals(body.get("seq").asLong(), m.getSeq());
        assertEquals(MessageType.SYSTEM, m.getContent().getType());
        assertEquals("Security", m.getContent().getSystemNotice().getTitle());
        assertEquals("A new device signed in.", m.getContent().getSystemNotice().getText());
        assertError(call("POST", "/v1/admin/users/987654321012/messages", ADMIN, "{\"fromUid\":" + team
                + ",\"text\":\"hi\"}"), 404, "NOT_FOUND", "987654321012");
        assertError(call("POST", "/v1/admin/users/" + carol + "/messages", ADMIN, "{\"fromUid\":" + team + "}"),
                400, "BAD_REQUEST", "text");
        assertError(call("POST", "/v1/admin/users/" + carol + "/messages", ADMIN, "{\"text\":\"hi\"}"),
                400, "BAD_REQUEST", "fromUid");
    }

    @Test
    void aGroupGetsTheOperatorsSystemMessageThenTheOperatorDismissesIt() throws Exception {
        register("adm_g_owner");
        long member = register("adm_g_member");
        Credentials owner = new AccountClient(config("g-owner")).login("adm_g_owner", PASSWORD, "g-owner",
                Platform.ANDROID);
        long group = new AccountClient(config("g-owner")).createGroup(owner, "admin IT", List.of(member));
        List<Message> got = new CopyOnWriteArrayList<>();
        connect("adm_g_member", "g-member", new MessageListener() {
            @Override
            public void onMessage(Message message) {
                if (message.getContent().getType() == MessageType.SYSTEM) {
                    got.add(message);
                }
            }
        });

        JsonNode notice = applied(call("POST", "/v1/admin/groups/" + group + "/messages", ADMIN,
                "{\"text\":\"This group is under review.\"}"), 201, "/v1/admin/groups/" + group + "/messages");
        await().atMost(20, SECONDS).until(() -> got.stream().anyMatch(m -> m.getSeq() == notice.get("seq").asLong()));
        Message m = got.stream().filter(x -> x.getSeq() == notice.get("seq").asLong()).findFirst().orElseThrow();
        assertEquals(0, m.getSenderUid(), "sent by the operator");
        assertEquals("g_" + group, m.getConversationId());
        assertEquals("This group is under review.", m.getContent().getSystemNotice().getText());

        JsonNode dismissed = applied(call("DELETE", "/v1/admin/groups/" + group, ADMIN, null), 200,
                "/v1/admin/groups/" + group);
        await().atMost(20, SECONDS).until(() -> got.stream().anyMatch(x -> x.getSeq() == dismissed.get("seq").asLong()));
        Message end = got.stream().filter(x -> x.getSeq() == dismissed.get("seq").asLong()).findFirst().orElseThrow();
        assertEquals(GroupEventType.GROUP_DISMISSED, end.getContent().getGroupEvent().getType());
        assertEquals(0, end.getContent().getGroupEvent().getOperatorUid());
        assertError(call("DELETE", "/v1/admin/groups/" + group, ADMIN, null), 404, "NOT_FOUND", "dismissed");
        assertError(call("POST", "/v1/admin/groups/" + group + "/messages", ADMIN, "{\"text\":\"late\"}"), 404,
                "NOT_FOUND", "dismissed");
        assertError(call("DELETE", "/v1/admin/groups/987654321012", ADMIN, null), 404, "NOT_FOUND", "does not exist");
        assertError(call("DELETE", "/v1/admin/conversations/g_" + group + "/messages/" + dismissed.get("seq").asLong(),
                ADMIN, null), 403, "FORBIDDEN", "change of the group");
    }

    @Test
    void aBroadcastReachesAnOnlineUserAndItsProgressEndsDone() throws Exception {
        register("adm_bc");
        List<SystemNotice> got = new CopyOnWriteArrayList<>();
        connect("adm_bc", "bc-phone", new MessageListener() {
            @Override
            public void onSystemBroadcast(SystemNotice notice) {
                got.add(notice);
            }
        });

        HttpResponse<String> started = call("POST", "/v1/admin/broadcasts", ADMIN,
                "{\"title\":\"Maintenance\",\"text\":\"Restart at 02:00 UTC.\"}");

        assertEquals(202, started.statusCode(), started.body());
        long id = json(started).get("id").asLong();
        await().atMost(30, SECONDS).until(() -> got.stream().anyMatch(n -> n.getBroadcastId() == id));
        SystemNotice n = got.stream().filter(x -> x.getBroadcastId() == id).findFirst().orElseThrow();
        assertEquals("Maintenance", n.getTitle());
        assertEquals("Restart at 02:00 UTC.", n.getText());
        JsonNode done = await().atMost(30, SECONDS).until(() -> json(call("GET", "/v1/admin/broadcasts/" + id, ADMIN,
                null)), j -> j.get("state").asText().equals("DONE"));
        assertTrue(done.get("total").asLong() >= 1 && done.get("sent").asLong() == done.get("total").asLong(),
                done.toString());
        assertError(call("GET", "/v1/admin/broadcasts/12345", ADMIN, null), 404, "NOT_FOUND", "12345");
        assertError(call("POST", "/v1/admin/broadcasts", ADMIN, "{\"text\":\"\"}"), 400, "BAD_REQUEST", "text");
    }

    /** An operator's write answered 200/201 once applied, or 202 while the writer has not applied it yet. */
    private JsonNode applied(HttpResponse<String> r, int status, String path) throws Exception {
        if (r.statusCode() == 202) {
            throw new AssertionError("not applied within the API's wait (the bus is slow?): " + r.body() + " " + path);
        }
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertTrue(body.get("applied").asBoolean(), r.body());
        return body;
    }

    /** The ERROR that refused a SEND, or null when it was acknowledged. */
    private static MagpieErrorException sendError(Device sender, long to) throws Exception {
        try {
            sender.client.sendText(ConversationType.SINGLE, to, "probe").get(20, SECONDS);
            return null;
        } catch (ExecutionException e) {
            return assertInstanceOf(MagpieErrorException.class, e.getCause());
        }
    }

    private long register(String name) {
        return new AccountClient(config("setup")).register(name, PASSWORD, name);
    }

    private Device connect(String name, String deviceId) throws Exception {
        return connect(name, deviceId, new MessageListener() {
        });
    }

    private Device connect(String name, String deviceId, MessageListener listener) throws Exception {
        ClientConfig config = config(deviceId);
        Credentials credentials = new AccountClient(config).login(name, PASSWORD, deviceId, Platform.ANDROID);
        MagpieClient client = users.client(deviceId);
        List<Kick> kicks = new CopyOnWriteArrayList<>();
        client.addListener(new MessageListener() {
            @Override
            public void onKicked(Kick kick) {
                kicks.add(kick);
            }
        });
        client.addListener(listener);
        LoginAck ack = client.connect(credentials).get(20, SECONDS);
        return new Device(client, credentials, ack, kicks);
    }

    /** LOGIN with {@code token} straight to the gate: the ERROR it answers, or null after a LOGIN_ACK. */
    private Error rawLogin(String token) throws Exception {
        try (RawConnection raw = new RawConnection(node.gate().tcpPort())) {
            raw.send(Frames.of(Command.LOGIN, 3, LoginRequest.newBuilder().setToken(token).build()));
            Frame answer = raw.read();
            assertNotNull(answer, "the gate answers LOGIN before anything else");
            if (answer.command() == Command.LOGIN_ACK.code()) {
                return null;
            }
            assertEquals(Command.ERROR.code(), answer.command(), answer.toString());
            return Error.parseFrom(answer.body());
        }
    }

    private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.accountApiPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CONTRACT.send(http, b.build());
    }

    private ClientConfig config(String device) {
        return users.config(device);
    }

    private static void assertError(HttpResponse<String> r, int status, String code, String messagePart)
            throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(code, body.get("code").asText(), r.body());
        assertTrue(body.get("message").asText().contains(messagePart), r.body());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private record Device(MagpieClient client, Credentials credentials, LoginAck ack, List<Kick> kicks) {

        Kick awaitKick() {
            await().atMost(20, SECONDS).until(() -> !kicks.isEmpty());
            return kicks.get(0);
        }
    }
}
