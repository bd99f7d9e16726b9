package io.magpie.logic;

import static io.magpie.logic.ContractClient.assertError;
import static io.magpie.logic.ContractClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Conversation;
import io.magpie.das.ConversationRepository;
import io.magpie.das.Database;
import io.magpie.das.DeviceToken;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.GroupRepository;
import io.magpie.das.ReadPositions;
import io.magpie.das.MuteSettings;
import io.magpie.das.MysqlConfig;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import io.magpie.engines.TestIsolation;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The authenticated part of the account API over real HTTP on a real MariaDB: bearer tokens, groups,
 * push tokens and mute.
 */
@ExtendWith(InfrastructureExtension.class)
class GroupApiIT {

    private static final byte[] SECRET = "a-group-api-it-secret-of-32-bytes-long!".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.systemUTC();
    /** Every answer the tests get is checked against the document the API serves. */
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");
    private static final int MAX_MEMBERS = 5;

    private static Database database;
    private static AccountApi api;
    private static long nextUid = 7_000_000;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ContractClient client = new ContractClient(CONTRACT, () -> api.port());

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).maxGroupMembers(MAX_MEMBERS).build();
        api = new AccountApi(config, database.dataSource(), AccountApiIT.ids(database), CLOCK, () -> true, () -> true).start();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void everyCallButRegisterLoginAndHealthNeedsAValidBearerToken() throws Exception {
        long alice = account();
        String expired = new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(alice, "d1", Platform.WEB,
                CLOCK.millis() - 1));
        String forged = new TokenCodec("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8), CLOCK)
                .issue(new TokenClaims(alice, "d1", Platform.WEB, CLOCK.millis() + 60_000));

        for (String token : new String[] {null, "", expired, forged}) {
            assertUnauthorized(client.send("GET", "/v1/accounts?username=user" + alice, token, null));
            assertUnauthorized(client.send("GET", "/v1/accounts/" + alice, token, null));
            assertUnauthorized(client.send("POST", "/v1/groups", token, "{\"name\":\"x\",\"members\":[]}"));
            assertUnauthorized(client.send("GET", "/v1/groups/1", token, null));
            assertUnauthorized(client.send("PUT", "/v1/devices/d1/push-token", token, "{\"provider\":\"fcm\",\"token\":\"t\"}"));
            assertUnauthorized(client.send("PUT", "/v1/conversations/s_1_2/mute", token, "{\"muted\":true}"));
        }
        HttpResponse<String> basic = CONTRACT.send(http, HttpRequest.newBuilder(client.uri("/v1/accounts/" + alice))
                .header("Authorization", "Basic dXNlcjpwYXNz").build());
        assertUnauthorized(basic);

        HttpResponse<String> found = client.send("GET", "/v1/accounts?username=user" + alice, token(alice), null);
        assertEquals(200, found.statusCode(), found.body());
        assertEquals(alice, json(found).get("uid").asLong());
        assertEquals(200, client.send("GET", "/health/ready", null, null).statusCode());
        assertEquals(400, client.send("POST", "/v1/accounts", null, "{}").statusCode(), "register stays open");
    }

    @Test
    void aGroupIsCreatedWithItsOwnerAsMemberAndOnlyMembersMayReadIt() throws Exception {
        long owner = account();
        long bob = account();
        long carol = account();
        long stranger = account();

        HttpResponse<String> created = client.send("POST", "/v1/groups", token(owner),
                "{\"name\":\"  Lunch crew \",\"members\":[" + carol + "," + bob + "," + carol + "]}");

        assertEquals(201, created.statusCode(), created.body());
        JsonNode g = json(created);
        long gid = g.get("groupId").asLong();
        assertTrue(gid > 0);
        assertEquals("Lunch crew", g.get("name").asText());
        assertEquals(owner, g.get("ownerUid").asLong());
        assertEquals(List.of(owner, bob, carol), longs(g.get("members")));

        HttpResponse<String> read = client.send("GET", "/v1/groups/" + gid, token(bob), null);
        assertEquals(200, read.statusCode(), read.body());
        JsonNode details = json(read);
        assertEquals(gid, details.get("groupId").asLong());
        assertEquals(3, details.get("members").size());
        JsonNode first = details.get("members").get(0);
        assertEquals(owner, first.get("uid").asLong());
        assertEquals("OWNER", first.get("role").asText());
        assertEquals(1, first.get("joinSeq").asLong());
        assertEquals("MEMBER", details.get("members").get(1).get("role").asText());
        // every member finds the group in their conversation list
        assertTrue(new ConversationRepository(database.dataSource(), CLOCK).find(carol, ConversationIds.group(gid))
                .isPresent());

        assertError(client.send("GET", "/v1/groups/" + gid, token(stranger), null), 403, "FORBIDDEN", "not a member");
        assertError(client.send("GET", "/v1/groups/987654321", token(owner), null), 404, "NOT_FOUND", "no group");
        assertError(client.send("GET", "/v1/groups/abc", token(owner), null), 400, "BAD_REQUEST", "groupId");
    }

    @Test
    void membersArePagedByUidForMembersOnlyAndMembershipIsNotChangedOverHttp() throws Exception {
        long owner = account();
        long bob = account();
        long dave = account();
        long stranger = account();
        long gid = json(client.send("POST", "/v1/groups", token(owner), "{\"name\":\"g\",\"members\":[" + bob + ","
                + dave + "]}")).get("groupId").asLong();

        JsonNode first = json(client.send("GET", "/v1/groups/" + gid + "/members?limit=2", token(bob), null));
        assertEquals(List.of(owner, bob), first.get("members").findValues("uid").stream().map(JsonNode::asLong).toList());
        assertEquals(bob, first.get("nextAfterUid").asLong());
        JsonNode last = json(client.send("GET", "/v1/groups/" + gid + "/members?limit=2&afterUid=" + bob, token(bob), null));
        assertEquals(List.of(dave), last.get("members").findValues("uid").stream().map(JsonNode::asLong).toList());
        assertEquals(0, last.get("nextAfterUid").asLong(), "a short page is the last");
        assertEquals("OWNER", first.get("members").get(0).get("role").asText());

        assertError(client.send("GET", "/v1/groups/" + gid + "/members", token(stranger), null), 403, "FORBIDDEN",
                "not a member");
        assertError(client.send("GET", "/v1/groups/" + gid + "/members?limit=501", token(owner), null), 400, "BAD_REQUEST",
                "limit must be 1-500");
        assertError(client.send("GET", "/v1/groups/" + gid + "/join-requests", token(bob), null), 403, "NOT_ADMIN",
                "only admins");
        assertEquals(0, json(client.send("GET", "/v1/groups/" + gid + "/join-requests", token(owner), null))
                .get("requests").size());
        // membership changes are GROUP commands (a timeline message each), not HTTP
        assertEquals(404, CONTRACT.sendUndocumented(http, HttpRequest.newBuilder(client.uri("/v1/groups/" + gid + "/members"))
                .header("Authorization", "Bearer " + token(owner))
                .POST(HttpRequest.BodyPublishers.ofString("{\"uids\":[" + stranger + "]}")).build()).statusCode());
        assertEquals(3, new GroupRepository(database.dataSource(), CLOCK).members(gid).size());
    }

    @Test
    void badGroupInputIsRefusedNamingTheFieldOrTheLimit() throws Exception {
        long owner = account();
        String t = token(owner);
        assertError(client.send("POST", "/v1/groups", t, "{\"name\":\"\",\"members\":[]}"), 400, "BAD_REQUEST",
                "name must be 1-64 characters");
        assertError(client.send("POST", "/v1/groups", t, "{\"name\":\"" + "x".repeat(65) + "\",\"members\":[]}"), 400,
                "BAD_REQUEST", "name must be 1-64 characters");
        assertError(client.send("POST", "/v1/groups", t, "{\"name\":\"g\",\"members\":[987654321]}"), 400, "BAD_REQUEST",
                "uid 987654321 is not a registered user");
        List<Long> six = new ArrayList<>();
        for (int i = 0; i < MAX_MEMBERS; i++) {
            six.add(account());
        }
        assertError(client.send("POST", "/v1/groups", t, "{\"name\":\"g\",\"members\":" + six + "}"), 400, "BAD_REQUEST",
                "at most " + MAX_MEMBERS + " members (logic.max-group-members)");
        assertError(client.send("POST", "/v1/groups", t, "{\"name\":\"g\"}"), 400, "BAD_REQUEST", "members is required");
    }

    @Test
    void nobodyCreatesAGroupWithAUserWhoBlockedThem() throws Exception {
        long owner = account();
        long blocker = account();
        long other = account();
        new io.magpie.das.Blocklist(database.dataSource(), CLOCK).block(blocker, owner);

        assertError(client.send("POST", "/v1/groups", token(owner), "{\"name\":\"g\",\"members\":[" + other + ","
                + blocker + "]}"), 403, "BLOCKED_BY_USER", "uid [" + blocker + "] blocked you");
        assertEquals(201, client.send("POST", "/v1/groups", token(blocker), "{\"name\":\"g\",\"members\":[" + owner
                + "]}").statusCode(), "the blocker may still add the one they blocked");
    }

    @Test
    void aDevicesPushTokenIsStoredForItsOwnDeviceOnly() throws Exception {
        long alice = account();
        String t = new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(alice, "phone-7", Platform.IOS,
                CLOCK.millis() + 60_000));

        HttpResponse<String> put = client.send("PUT", "/v1/devices/phone-7/push-token", t,
                "{\"provider\":\"apns\",\"token\":\"abc123\"}");
        assertEquals(204, put.statusCode(), put.body());
        client.send("PUT", "/v1/devices/phone-7/push-token", t, "{\"provider\":\"webhook\",\"token\":\"https://hook/1\"}");

        List<DeviceToken> tokens = new DeviceTokenRepository(database.dataSource()).findByUid(alice);
        assertEquals(1, tokens.size(), "registering again replaces the token");
        assertEquals("phone-7", tokens.get(0).deviceId());
        assertEquals("IOS", tokens.get(0).platform());
        assertEquals("webhook", tokens.get(0).provider());
        assertEquals("https://hook/1", tokens.get(0).token());

        assertError(client.send("PUT", "/v1/devices/tablet-1/push-token", t, "{\"provider\":\"apns\",\"token\":\"x\"}"), 403,
                "FORBIDDEN", "its own push token");
        assertError(client.send("PUT", "/v1/devices/phone-7/push-token", t, "{\"provider\":\"sms\",\"token\":\"x\"}"), 400,
                "BAD_REQUEST", "provider must be one of webhook, apns, fcm");
        assertError(client.send("PUT", "/v1/devices/phone-7/push-token", t, "{\"provider\":\"fcm\",\"token\":\"\"}"), 400,
                "BAD_REQUEST", "token must be 1-512 characters");
    }

    @Test
    void muteIsStoredOnTheCallersRowAndRaisesItsVersion() throws Exception {
        long alice = account();
        long bob = account();
        long stranger = account();
        long gid = json(client.send("POST", "/v1/groups", token(alice), "{\"name\":\"g\",\"members\":[" + bob + "]}"))
                .get("groupId").asLong();
        String single = ConversationIds.single(alice, bob);
        String group = ConversationIds.group(gid);
        ConversationRepository rows = new ConversationRepository(database.dataSource(), CLOCK);
        MuteSettings mute = new MuteSettings(database.dataSource());
        long groupVersion = rows.find(bob, group).orElseThrow().version();

        assertEquals(204, client.send("PUT", "/v1/conversations/" + single + "/mute", token(bob), "{\"muted\":true}")
                .statusCode());
        assertEquals(204, client.send("PUT", "/v1/conversations/" + group + "/mute", token(bob), "{\"muted\":true}")
                .statusCode());

        assertTrue(mute.muted(bob, single));
        assertFalse(mute.muted(alice, single), "only the caller's own row");
        Conversation row = rows.find(bob, group).orElseThrow();
        assertTrue(row.muted());
        assertTrue(row.version() > groupVersion, "a setting change reaches other devices by SYNC");
        assertTrue(new GroupRepository(database.dataSource(), CLOCK).member(gid, bob).orElseThrow().muted());
        client.send("PUT", "/v1/conversations/" + group + "/mute", token(bob), "{\"muted\":false}");
        assertFalse(mute.muted(bob, group));

        assertError(client.send("PUT", "/v1/conversations/" + group + "/mute", token(stranger), "{\"muted\":true}"), 403,
                "FORBIDDEN", "not a member");
        assertError(client.send("PUT", "/v1/conversations/" + single + "/mute", token(stranger), "{\"muted\":true}"), 403,
                "FORBIDDEN", "not a member");
        assertError(client.send("PUT", "/v1/conversations/x_1/mute", token(bob), "{\"muted\":true}"), 400, "BAD_REQUEST",
                "conversationId");
        assertError(client.send("PUT", "/v1/conversations/" + single + "/mute", token(bob), "{}"), 400, "BAD_REQUEST",
                "muted is required");
    }

    @Test
    void pinHideAndReadReceiptSettingsAreStoredOnTheCallersRowsAndRaiseTheirVersion() throws Exception {
        long alice = account();
        long bob = account();
        String single = ConversationIds.single(alice, bob);
        ConversationRepository rows = new ConversationRepository(database.dataSource(), CLOCK);

        assertEquals(204, client.send("PUT", "/v1/conversations/" + single + "/pin", token(bob), "{\"pinned\":true}")
                .statusCode());
        Conversation pinned = rows.find(bob, single).orElseThrow();
        assertTrue(pinned.sortKey() > 0 && pinned.sortKey() <= CLOCK.millis(), "pinned at the time of the call");
        assertEquals(204, client.send("PUT", "/v1/conversations/" + single + "/hide", token(bob), "{\"hidden\":true}")
                .statusCode());
        Conversation hidden = rows.find(bob, single).orElseThrow();
        assertTrue(hidden.deleted());
        assertTrue(hidden.version() > pinned.version(), "every change reaches the other devices by SYNC");
        assertEquals(204, client.send("PUT", "/v1/conversations/" + single + "/pin", token(bob), "{\"pinned\":false}")
                .statusCode());
        assertEquals(0, rows.find(bob, single).orElseThrow().sortKey());
        assertTrue(rows.find(alice, single).isEmpty(), "only the caller's own row");
        assertError(client.send("PUT", "/v1/conversations/" + single + "/hide", token(bob), "{}"), 400, "BAD_REQUEST",
                "hidden is required");
        assertError(client.send("PUT", "/v1/conversations/" + single + "/pin", token(account()), "{\"pinned\":true}"), 403,
                "FORBIDDEN", "not a member");

        assertEquals(204, client.send("PUT", "/v1/me/settings/read-receipts", token(bob), "{\"enabled\":false}").statusCode());
        assertEquals(java.util.Set.of(bob), new ReadPositions(database.dataSource(), CLOCK).hidingReceipts(
                List.of(alice, bob)));
        assertError(client.send("PUT", "/v1/me/settings/read-receipts", token(bob), "{}"), 400, "BAD_REQUEST",
                "enabled is required");
    }

    @Test
    void groupReadReceiptsCountAndListTheMembersWhoReadAMessageAndRespectPrivacy() throws Exception {
        long alice = account();
        long bob = account();
        long carol = account();
        long dave = account();
        long gid = json(client.send("POST", "/v1/groups", token(alice), "{\"name\":\"r\",\"members\":[" + bob + "," + carol
                + "," + dave + "]}")).get("groupId").asLong();
        String group = ConversationIds.group(gid);
        try (java.sql.Connection c = database.dataSource().getConnection()) {
            new io.magpie.das.MessageRepository(database.dataSource()).insertBatch(c, List.of(new io.magpie.das.MessageRecord(
                    gid * 1000 + 1, group, 2, 2, gid * 1000 + 1, alice, "d1", "rc" + gid, 1, new byte[0], 0,
                    CLOCK.millis())));
        }
        ReadPositions positions = new ReadPositions(database.dataSource(), CLOCK);
        // seq 1 is GROUP_CREATED; the message (seq 2) went in without the write path: move the members' rows to
        // it, or reads clamp to 1
        try (java.sql.Connection c = database.dataSource().getConnection();
             java.sql.PreparedStatement st = c.prepareStatement("UPDATE conversation SET last_seq = 2 WHERE conversation_id = ?")) {
            st.setString(1, group);
            st.executeUpdate();
        }
        positions.apply(List.of(new io.magpie.das.ReadMark(bob, group, 2, gid * 1000 + 4),
                new io.magpie.das.ReadMark(carol, group, 2, gid * 1000 + 5)), moved -> List.of());
        client.send("PUT", "/v1/me/settings/read-receipts", token(carol), "{\"enabled\":false}");

        JsonNode r = json(client.send("GET", "/v1/conversations/" + group + "/messages/2/receipts", token(alice), null));

        assertEquals(1, r.get("readCount").asLong(), "bob; carol hides receipts, alice sent it: " + r);
        assertEquals(1, r.get("unreadCount").asLong(), "dave: " + r);
        assertEquals(List.of(bob), java.util.stream.StreamSupport.stream(r.get("readers").spliterator(), false)
                .map(JsonNode::asLong).toList());
        assertError(client.send("GET", "/v1/conversations/" + group + "/messages/2/receipts", token(carol), null), 403,
                "READ_RECEIPTS_OFF", "sees none");
        assertError(client.send("GET", "/v1/conversations/" + group + "/messages/2/receipts", token(account()), null), 403,
                "FORBIDDEN", "not a member");
        assertError(client.send("GET", "/v1/conversations/" + group + "/messages/9/receipts", token(bob), null), 404,
                "NOT_FOUND", "no message at seq 9");
    }

    // ---- helpers

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(new Account(uid, "user" + uid, "pbkdf2-sha256$1$AA$AA", "",
                1));
        return uid;
    }

    private static String token(long uid) {
        return new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(uid, "d1", Platform.WEB, CLOCK.millis() + 60_000));
    }

    private static void assertUnauthorized(HttpResponse<String> r) throws Exception {
        assertError(r, 401, "UNAUTHORIZED", "");
        assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }
}
