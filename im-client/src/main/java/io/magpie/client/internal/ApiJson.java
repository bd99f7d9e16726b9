package io.magpie.client.internal;

import io.magpie.client.AccountInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.Credentials;
import io.magpie.client.GateAddress;
import io.magpie.client.MagpieApiException;
import io.magpie.client.GroupJoinRequestsPage;
import io.magpie.client.GroupMembersPage;
import io.magpie.client.ReadReceipts;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the JSON bodies of the account API and the LSB into SDK types, and error bodies into
 * {@link MagpieApiException}s. Pure and thread-safe (the shared {@link ObjectMapper} is).
 *
 * <p>Error bodies are {@code {code, message}}; a body that is not (an HTML page from a proxy, empty)
 * still gives an exception with {@code HTTP_<status>} and the start of the body, never a parse error.
 */
public final class ApiJson {

    private static final int EXCERPT = 200;
    private final ObjectMapper mapper;

    public ApiJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public String write(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write request body as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The exception for a non-2xx answer of {@code what} (e.g. "account API POST /v1/login"). */
    public MagpieApiException error(String what, int status, String body) {
        JsonNode json = tryParse(body);
        if (json != null && json.path("code").isTextual() && !json.path("code").asText().isBlank()) {
            String message = json.path("message").isTextual() ? json.path("message").asText() : "(no message)";
            return new MagpieApiException(status, json.path("code").asText(), message);
        }
        return new MagpieApiException(status, "HTTP_" + status,
                what + " answered HTTP " + status + (body == null || body.isBlank() ? " with an empty body"
                        : ": " + excerpt(body)));
    }

    /** {@code {"uid": 123}} of a registration. */
    public long uid(String what, int status, String body) {
        JsonNode uid = object(what, status, body).path("uid");
        if (!uid.canConvertToLong() || uid.asLong() <= 0) {
            throw badResponse(what, status, "no positive numeric uid", body);
        }
        return uid.asLong();
    }

    /** {@code {"uid", "token", "expiresAt"}} of a login; expiresAt as epoch millis or ISO-8601 instant. */
    public Credentials credentials(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode uid = json.path("uid");
        JsonNode token = json.path("token");
        if (!uid.canConvertToLong() || uid.asLong() <= 0 || !token.isTextual() || token.asText().isBlank()) {
            throw badResponse(what, status, "no uid and token", body);
        }
        JsonNode refresh = json.path("refreshToken");
        if (!refresh.isTextual() || refresh.asText().isBlank()) {
            return new Credentials(uid.asLong(), token.asText(), instant(what, status, json.path("expiresAt"), body));
        }
        return new Credentials(uid.asLong(), token.asText(), instant(what, status, json.path("expiresAt"), body),
                refresh.asText(), instant(what, status, json.path("refreshExpiresAt"), body));
    }

    /** {@code {"uid", "username", "nickname"}} of an account lookup. */
    public AccountInfo account(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode uid = json.path("uid");
        if (!uid.canConvertToLong() || uid.asLong() <= 0 || !json.path("username").isTextual()) {
            throw badResponse(what, status, "no uid and username", body);
        }
        return new AccountInfo(uid.asLong(), json.path("username").asText(), json.path("nickname").asText(""));
    }

    /** {@code {"groupId", ...}} of a group creation. */
    public long groupId(String what, int status, String body) {
        JsonNode id = object(what, status, body).path("groupId");
        if (!id.canConvertToLong() || id.asLong() <= 0) {
            throw badResponse(what, status, "no positive numeric groupId", body);
        }
        return id.asLong();
    }

    /** {@code {members: [{uid, role, joinSeq}], nextAfterUid}} of a group's member page. */
    public GroupMembersPage groupMembers(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode members = json.path("members");
        JsonNode next = json.path("nextAfterUid");
        if (!members.isArray() || !next.canConvertToLong()) {
            throw badResponse(what, status, "no members list and nextAfterUid", body);
        }
        List<GroupMembersPage.Member> out = new ArrayList<>();
        for (JsonNode m : members) {
            if (!m.path("uid").canConvertToLong() || !m.path("role").isTextual()) {
                throw badResponse(what, status, "a member without uid or role", body);
            }
            out.add(new GroupMembersPage.Member(m.path("uid").asLong(), m.path("role").asText(),
                    m.path("joinSeq").asLong()));
        }
        return new GroupMembersPage(out, next.asLong());
    }

    /** {@code {requests: [{uid, message, createdAt}], nextAfterUid}} of a group's join requests. */
    public GroupJoinRequestsPage joinRequests(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode requests = json.path("requests");
        JsonNode next = json.path("nextAfterUid");
        if (!requests.isArray() || !next.canConvertToLong()) {
            throw badResponse(what, status, "no requests list and nextAfterUid", body);
        }
        List<GroupJoinRequestsPage.Request> out = new ArrayList<>();
        for (JsonNode r : requests) {
            if (!r.path("uid").canConvertToLong()) {
                throw badResponse(what, status, "a join request without uid", body);
            }
            out.add(new GroupJoinRequestsPage.Request(r.path("uid").asLong(), r.path("message").asText(""),
                    r.path("createdAt").asLong()));
        }
        return new GroupJoinRequestsPage(out, next.asLong());
    }

    /** {@code {conversationId, seq, readCount, unreadCount, readers|null}} of a message's read receipts. */
    public ReadReceipts receipts(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode conversation = json.path("conversationId");
        JsonNode seq = json.path("seq");
        JsonNode read = json.path("readCount");
        JsonNode unread = json.path("unreadCount");
        if (!conversation.isTextual() || !seq.canConvertToLong() || !read.canConvertToLong()
                || !unread.canConvertToLong()) {
            throw badResponse(what, status, "no conversationId, seq, readCount and unreadCount", body);
        }
        JsonNode readers = json.path("readers");
        List<Long> uids = null;
        if (readers.isArray()) {
            uids = new ArrayList<>();
            for (JsonNode uid : readers) {
                if (!uid.canConvertToLong()) {
                    throw badResponse(what, status, "a reader that is not a uid", body);
                }
                uids.add(uid.asLong());
            }
        } else if (!readers.isMissingNode() && !readers.isNull()) {
            throw badResponse(what, status, "readers that are neither a list nor null", body);
        }
        return new ReadReceipts(conversation.asText(), seq.asLong(), read.asLong(), unread.asLong(), uids);
    }

    /** {@code POST /v1/media}'s answer. */
    public io.magpie.client.UploadedMedia uploadedMedia(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode id = json.path("mediaId");
        JsonNode url = json.path("url");
        JsonNode type = json.path("mimeType");
        JsonNode size = json.path("sizeBytes");
        if (!id.isTextual() || !url.isTextual() || !type.isTextual() || !size.canConvertToLong()) {
            throw badResponse(what, status, "no mediaId, url, mimeType and sizeBytes", body);
        }
        return new io.magpie.client.UploadedMedia(id.asText(), json.path("conversationId").asText(""), type.asText(),
                size.asLong(), json.path("width").asInt(0), json.path("height").asInt(0),
                json.path("fileName").asText(""), url.asText(),
                json.path("thumbnailUrl").isTextual() ? json.path("thumbnailUrl").asText() : null);
    }

    /** {@code GET /v1/media/{id}/url}'s answer, its URLs resolved against {@code base}. */
    public io.magpie.client.MediaUrls mediaUrls(java.net.URI base, String what, int status, String body) {
        JsonNode json = object(what, status, body);
        JsonNode url = json.path("url");
        JsonNode expires = json.path("expiresAt");
        if (!url.isTextual() || !expires.canConvertToLong()) {
            throw badResponse(what, status, "no url and expiresAt", body);
        }
        JsonNode thumb = json.path("thumbnailUrl");
        return new io.magpie.client.MediaUrls(json.path("mediaId").asText(""),
                HttpJsonClient.resolve(base, url.asText()),
                thumb.isTextual() ? HttpJsonClient.resolve(base, thumb.asText()) : null,
                java.time.Instant.ofEpochMilli(expires.asLong()));
    }

    /** The LSB's {@code GET /v1/gate} answer. */
    public GateAddress gate(String what, int status, String body) {
        JsonNode json = object(what, status, body);
        String gateId = json.path("gateId").asText("");
        String host = json.path("host").asText("");
        int tcpPort = json.path("tcpPort").asInt(-1);
        if (gateId.isBlank() || host.isBlank() || tcpPort <= 0 || tcpPort > 65535) {
            throw badResponse(what, status, "no gateId, host and tcpPort", body);
        }
        String tcp = json.path("tcp").isTextual() ? json.path("tcp").asText() : host + ":" + tcpPort;
        URI ws = null;
        if (json.path("ws").isTextual() && !json.path("ws").asText().isBlank()) {
            try {
                ws = URI.create(json.path("ws").asText());
            } catch (IllegalArgumentException e) {
                throw badResponse(what, status, "a malformed ws URL", body);
            }
        }
        boolean tls = json.path("tls").asBoolean(false) || (ws != null && "wss".equals(ws.getScheme()));
        String zone = json.path("zone").isTextual() && !json.path("zone").asText().isBlank()
                ? json.path("zone").asText() : null;
        return new GateAddress(gateId, host, tcpPort, json.path("wsPort").asInt(0), tcp, ws, tls, zone);
    }

    private Instant instant(String what, int status, JsonNode node, String body) {
        if (node.isNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.asLong());
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.asText());
            } catch (DateTimeParseException e) {
                throw badResponse(what, status, "an expiresAt that is neither epoch millis nor an ISO-8601 instant", body);
            }
        }
        throw badResponse(what, status, "no expiresAt", body);
    }

    private JsonNode object(String what, int status, String body) {
        JsonNode json = tryParse(body);
        if (json == null || !json.isObject()) {
            throw badResponse(what, status, "no JSON object", body);
        }
        return json;
    }

    private JsonNode tryParse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static MagpieApiException badResponse(String what, int status, String problem, String body) {
        return new MagpieApiException(status, "BAD_RESPONSE", what + " answered HTTP " + status + " with " + problem
                + "; is the URL pointing at the right service? Body: " + excerpt(body));
    }

    private static String excerpt(String body) {
        if (body == null) {
            return "(none)";
        }
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= EXCERPT ? flat : flat.substring(0, EXCERPT) + "...";
    }
}
