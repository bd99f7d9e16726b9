package io.magpie.logic;

import static io.magpie.logic.ContractClient.assertError;
import static io.magpie.logic.ContractClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import java.math.BigInteger;
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
 * The people part of the account API (friends, friend requests, blocks, the DM policy, presence settings)
 * over real HTTP on a real MariaDB, every answer held to {@code accounts.yaml}: a field the server sends
 * that the document lacks, a missing required one or an undocumented status fails the test.
 */
@ExtendWith(InfrastructureExtension.class)
class SocialApiIT {

    private static final byte[] SECRET = "a-social-api-it-secret-of-32-bytes-long".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.systemUTC();
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");

    private static Database database;
    private static AccountApi api;
    private static long nextUid = 8_000_000;
    private final ContractClient client = new ContractClient(CONTRACT, () -> api.port());

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).build();
        api = new AccountApi(config, database.dataSource(), AccountApiIT.ids(database), CLOCK, () -> true,
                () -> true).start();
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
    void aFriendRequestIsAskedUpdatedAcceptedListedAndEnded() throws Exception {
        long alice = account();
        long bob = account();

        HttpResponse<String> asked = send("POST", "/v1/friends/requests", alice,
                "{\"toUid\":" + bob + ",\"message\":\"hi, it's Alice\"}");
        assertEquals(201, asked.statusCode(), asked.body());
        JsonNode request = json(asked);
        String requestId = request.get("requestId").asText();
        assertEquals("PENDING", request.get("state").asText());
        assertEquals(alice, request.get("fromUid").asLong());
        assertTrue(new BigInteger(requestId).signum() > 0, "a decimal string id");

        HttpResponse<String> again = send("POST", "/v1/friends/requests", alice,
                "{\"toUid\":" + bob + ",\"message\":\"it's me again\"}");
        assertEquals(200, again.statusCode(), "asking again updates the pending request: " + again.body());
        assertEquals(requestId, json(again).get("requestId").asText());
        assertEquals("it's me again", json(again).get("message").asText());

        JsonNode bobsRequests = json(send("GET", "/v1/friends/requests", bob, null));
        assertEquals(List.of(requestId), texts(bobsRequests.get("incoming"), "requestId"));
        assertEquals(0, bobsRequests.get("outgoing").size());
        assertEquals(List.of(requestId), texts(json(send("GET", "/v1/friends/requests", alice, null)).get("outgoing"),
                "requestId"));

        assertError(send("POST", "/v1/friends/requests/" + requestId + "/accept", alice, null), 404, "NOT_FOUND", "");
        HttpResponse<String> accepted = send("POST", "/v1/friends/requests/" + requestId + "/accept", bob, null);
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals("ACCEPTED", json(accepted).get("request").get("state").asText());
        String bobsVersion = json(accepted).get("friendsVersion").asText();
        assertTrue(new BigInteger(bobsVersion).signum() > 0, bobsVersion);
        assertError(send("POST", "/v1/friends/requests/" + requestId + "/reject", bob, null), 409, "NOT_PENDING", "");
        assertError(send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + bob + "}"), 409, "ALREADY_FRIENDS",
                "");

        JsonNode all = json(send("GET", "/v1/friends", alice, null));
        assertEquals(1, all.get("friends").size());
        JsonNode row = all.get("friends").get(0);
        assertEquals(bob, row.get("uid").asLong());
        assertFalse(row.get("removed").asBoolean());
        assertFalse(all.get("hasMore").asBoolean());
        String since = all.get("version").asText();
        assertEquals(0, json(send("GET", "/v1/friends?sinceVersion=" + since, alice, null)).get("friends").size(),
                "nothing changed after the version the list gave");

        HttpResponse<String> removed = send("DELETE", "/v1/friends/" + bob, alice, null);
        assertEquals(200, removed.statusCode(), removed.body());
        JsonNode changed = json(send("GET", "/v1/friends?sinceVersion=" + since, alice, null));
        assertEquals(1, changed.get("friends").size(), changed.toString());
        assertTrue(changed.get("friends").get(0).get("removed").asBoolean(), "a removal syncs as a removed row");
        assertError(send("DELETE", "/v1/friends/" + bob, alice, null), 404, "NOT_FRIEND", "");
    }

    @Test
    void aPendingRequestIsRejectedOrWithdrawnOnlyByItsParties() throws Exception {
        long alice = account();
        long bob = account();
        long carol = account();

        String toBob = json(send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + bob + "}"))
                .get("requestId").asText();
        assertError(send("POST", "/v1/friends/requests/" + toBob + "/reject", carol, null), 404, "NOT_FOUND", "");
        HttpResponse<String> rejected = send("POST", "/v1/friends/requests/" + toBob + "/reject", bob, null);
        assertEquals(200, rejected.statusCode(), rejected.body());
        assertEquals("REJECTED", json(rejected).get("request").get("state").asText());
        assertEquals("0", json(rejected).get("friendsVersion").asText());

        String toCarol = json(send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + carol + "}"))
                .get("requestId").asText();
        assertError(send("DELETE", "/v1/friends/requests/" + toCarol, carol, null), 404, "NOT_FOUND", "");
        HttpResponse<String> withdrawn = send("DELETE", "/v1/friends/requests/" + toCarol, alice, null);
        assertEquals(200, withdrawn.statusCode(), withdrawn.body());
        assertEquals("CANCELLED", json(withdrawn).get("request").get("state").asText());
        assertError(send("DELETE", "/v1/friends/requests/" + toCarol, alice, null), 409, "NOT_PENDING", "");

        // crossing requests: asking someone whose request to you is pending accepts theirs
        String fromCarol = json(send("POST", "/v1/friends/requests", carol, "{\"toUid\":" + alice + "}"))
                .get("requestId").asText();
        HttpResponse<String> crossed = send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + carol + "}");
        assertEquals(200, crossed.statusCode(), crossed.body());
        assertEquals(fromCarol, json(crossed).get("requestId").asText());
        assertEquals("ACCEPTED", json(crossed).get("state").asText());
    }

    @Test
    void badFriendRequestsAreRefusedNamingWhatWasWrong() throws Exception {
        long alice = account();
        assertError(send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + alice + "}"), 400, "BAD_REQUEST", "");
        assertError(send("POST", "/v1/friends/requests", alice, "{}"), 400, "BAD_REQUEST", "toUid");
        assertError(send("POST", "/v1/friends/requests", alice, "{\"toUid\":987654321}"), 404, "NOT_FOUND", "");
        assertError(send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + account() + ",\"message\":\""
                + "x".repeat(201) + "\"}"), 400, "BAD_REQUEST", "message");
        assertError(send("POST", "/v1/friends/requests/123/accept", alice, null), 404, "NOT_FOUND", "");
        assertError(send("GET", "/v1/friends?limit=0", alice, null), 400, "BAD_REQUEST", "limit");
        assertError(send("GET", "/v1/friends?sinceVersion=x", alice, null), 400, "BAD_REQUEST", "sinceVersion");
        assertError(send("GET", "/v1/friends", null, null), 401, "UNAUTHORIZED", "");
    }

    @Test
    void aBlockStopsFriendRequestsAndIsListedUntilLifted() throws Exception {
        long alice = account();
        long mallory = account();

        assertEquals(204, send("PUT", "/v1/blocks/" + mallory, alice, null).statusCode());
        assertEquals(204, send("PUT", "/v1/blocks/" + mallory, alice, null).statusCode(), "blocking again is fine");
        JsonNode blocks = json(send("GET", "/v1/blocks", alice, null)).get("blocks");
        assertEquals(1, blocks.size());
        assertEquals(mallory, blocks.get(0).get("uid").asLong());
        assertTrue(blocks.get(0).get("blockedAt").asLong() > 0);

        assertError(send("POST", "/v1/friends/requests", mallory, "{\"toUid\":" + alice + "}"), 403, "BLOCKED", "");
        assertError(send("POST", "/v1/friends/requests", alice, "{\"toUid\":" + mallory + "}"), 409, "UNBLOCK_FIRST",
                "");
        assertError(send("PUT", "/v1/blocks/987654321", alice, null), 404, "NOT_FOUND", "");
        assertError(send("PUT", "/v1/blocks/abc", alice, null), 400, "BAD_REQUEST", "uid");

        assertEquals(204, send("DELETE", "/v1/blocks/" + mallory, alice, null).statusCode());
        assertEquals(204, send("DELETE", "/v1/blocks/" + mallory, alice, null).statusCode(), "unblocking again is fine");
        assertEquals(0, json(send("GET", "/v1/blocks", alice, null)).get("blocks").size());
        assertEquals(201, send("POST", "/v1/friends/requests", mallory, "{\"toUid\":" + alice + "}").statusCode());
    }

    @Test
    void theDmPolicyAndPresenceSettingsAreReadAndChanged() throws Exception {
        long alice = account();

        assertEquals("ANYONE", json(send("GET", "/v1/me/settings/dm-policy", alice, null)).get("policy").asText());
        assertEquals(204, send("PUT", "/v1/me/settings/dm-policy", alice, "{\"policy\":\"FRIENDS\"}").statusCode());
        assertEquals("FRIENDS", json(send("GET", "/v1/me/settings/dm-policy", alice, null)).get("policy").asText());
        assertError(send("PUT", "/v1/me/settings/dm-policy", alice, "{\"policy\":\"NOBODY\"}"), 400, "BAD_REQUEST",
                "policy");

        JsonNode fresh = json(send("GET", "/v1/me/presence", alice, null));
        assertEquals("", fresh.get("statusText").asText());
        assertFalse(fresh.get("hidden").asBoolean());
        JsonNode set = json(send("PUT", "/v1/me/presence", alice, "{\"statusText\":\"on a train 🚆\"}"));
        assertEquals("on a train 🚆", set.get("statusText").asText());
        JsonNode hidden = json(send("PUT", "/v1/me/presence", alice, "{\"hidden\":true}"));
        assertTrue(hidden.get("hidden").asBoolean());
        assertEquals("on a train 🚆", hidden.get("statusText").asText(), "an absent field keeps its value");
        assertError(send("PUT", "/v1/me/presence", alice, "{\"statusText\":\"" + "x".repeat(101) + "\"}"), 400,
                "BAD_REQUEST", "statusText");
        assertError(send("GET", "/v1/me/presence", null, null), 401, "UNAUTHORIZED", "");
    }

    // ---- helpers

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(new Account(uid, "user" + uid, "pbkdf2-sha256$1$AA$AA", "",
                1));
        return uid;
    }

    private HttpResponse<String> send(String method, String path, long uid, String body) throws Exception {
        return send(method, path, new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(uid, "d1", Platform.WEB,
                CLOCK.millis() + 60_000)), body);
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return client.send(method, path, token, body);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }
}
