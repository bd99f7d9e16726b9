package io.magpie.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.FriendRequestInfo;
import io.magpie.client.FriendRequests;
import io.magpie.client.MagpieApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the JSON bodies of the friend, block and DM policy routes into SDK types (ids and versions arrive as
 * decimal strings). Pure and thread-safe.
 */
public final class FriendsJson {

    /** One row of a friend-list page. */
    public record FriendRow(long uid, boolean removed, long version) {
    }

    /** A friend-list page: rows changed since the asked version, the version to ask from next. */
    public record FriendPage(List<FriendRow> rows, long version, boolean hasMore) {
    }

    private final ObjectMapper mapper;

    public FriendsJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public FriendRequestInfo request(String what, int status, String body) {
        return request(parse(what, status, body));
    }

    /** {@code {request, friendsVersion}} of an answer or a cancel. */
    public FriendRequestInfo answered(String what, int status, String body) {
        return request(parse(what, status, body).path("request"));
    }

    public FriendRequests requests(String what, int status, String body) {
        JsonNode json = parse(what, status, body);
        return new FriendRequests(requests(json.path("incoming")), requests(json.path("outgoing")));
    }

    public FriendPage friends(String what, int status, String body) {
        JsonNode json = parse(what, status, body);
        List<FriendRow> rows = new ArrayList<>();
        for (JsonNode f : json.path("friends")) {
            rows.add(new FriendRow(f.path("uid").asLong(), f.path("removed").asBoolean(),
                    Long.parseLong(f.path("version").asText("0"))));
        }
        return new FriendPage(rows, Long.parseLong(json.path("version").asText("0")), json.path("hasMore").asBoolean());
    }

    /** {@code {blocks: [{uid, blockedAt}]}}: the uids. */
    public List<Long> blocks(String what, int status, String body) {
        List<Long> out = new ArrayList<>();
        for (JsonNode b : parse(what, status, body).path("blocks")) {
            out.add(b.path("uid").asLong());
        }
        return out;
    }

    public String policy(String what, int status, String body) {
        return parse(what, status, body).path("policy").asText();
    }

    private static List<FriendRequestInfo> requests(JsonNode array) {
        List<FriendRequestInfo> out = new ArrayList<>();
        for (JsonNode r : array) {
            out.add(request(r));
        }
        return out;
    }

    private static FriendRequestInfo request(JsonNode r) {
        return new FriendRequestInfo(Long.parseLong(r.path("requestId").asText("0")), r.path("fromUid").asLong(),
                r.path("toUid").asLong(), r.path("message").asText(""), r.path("state").asText(),
                r.path("createdAt").asLong(), r.path("updatedAt").asLong());
    }

    private JsonNode parse(String what, int status, String body) {
        try {
            JsonNode json = mapper.readTree(body);
            if (json == null || !json.isObject()) {
                throw new MagpieApiException(status, "BAD_RESPONSE", what + " answered " + status
                        + " with a body that is not a JSON object");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new MagpieApiException(status, "BAD_RESPONSE", what + " answered " + status
                    + " with a body that is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
