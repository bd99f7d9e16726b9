package io.magpie.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.internal.ApiJson;
import io.magpie.client.internal.Futures;
import io.magpie.client.internal.HttpJsonClient;
import io.magpie.protocol.proto.Platform;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The account API over HTTP (ARCHITECTURE §2 step 1): register a user, log in to get the signed token
 * a {@link MagpieClient} connects with, refresh it, log out; the caller's conversation settings (mute, pin, hide)
 * and read receipts on request.
 *
 * <p>Wire: {@code POST /v1/accounts {username, password, nickname}} -> {@code {uid}};
 * {@code POST /v1/sessions {username, password, deviceId, platform, appId?}} and
 * {@code POST /v1/sessions/refresh {refreshToken}} -> {@code {uid, token, expiresAt, refreshToken,
 * refreshExpiresAt}} (times in epoch millis; an ISO-8601 instant is accepted too);
 * {@code DELETE /v1/sessions/current} with {@code Authorization: Bearer <access token>} -> 204;
 * {@code PUT /v1/me/settings/read-receipts {enabled}} -> 204; {@code PUT /v1/conversations/{id}/mute {muted}},
 * {@code .../pin {pinned}}, {@code .../hide {hidden}} -> 204; {@code GET /v1/conversations/{id}/messages/{seq}/receipts}
 * -> {@code {conversationId, seq, readCount, unreadCount, readers}}; as described
 * by im-logic's {@code openapi/accounts.yaml}. Failures surface as {@link MagpieApiException} with the server's
 * {@code {code, message}}.
 *
 * <p>Thread-safe; holds no resources beyond its {@link HttpClient}, so there is nothing to close.
 */
public final class AccountClient {

    public static final String REGISTER_PATH = "/v1/accounts";
    public static final String LOGIN_PATH = "/v1/sessions";
    public static final String REFRESH_PATH = "/v1/sessions/refresh";
    public static final String CURRENT_SESSION_PATH = "/v1/sessions/current";
    public static final String GROUPS_PATH = "/v1/groups";
    public static final String READ_RECEIPTS_PATH = "/v1/me/settings/read-receipts";
    public static final String CONVERSATIONS_PATH = "/v1/conversations/";
    public static final String MEDIA_PATH = "/v1/media";
    private static final String SERVICE = "account API";

    private final URI baseUrl;
    private final HttpJsonClient http;
    /** The app id a login names unless the caller gives one; null for none. */
    private final String appId;

    /**
     * Uses {@link ClientConfig#accountApiUrl()}, {@link ClientConfig#requestTimeout()} and, for logins,
     * {@link ClientConfig#appId()}.
     */
    public AccountClient(ClientConfig config) {
        this(config.accountApiUrl(), HttpJsonClient.newHttpClient(config), config.requestTimeout(), config.appId());
    }

    /** Logins name no app unless the caller gives one. */
    public AccountClient(URI baseUrl, HttpClient httpClient, Duration requestTimeout) {
        this(baseUrl, httpClient, requestTimeout, null);
    }

    /** @param appId the app logins name unless the caller gives one (null for none) */
    public AccountClient(URI baseUrl, HttpClient httpClient, Duration requestTimeout, String appId) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.http = new HttpJsonClient(httpClient, new ApiJson(new ObjectMapper()), requestTimeout);
        this.appId = appId == null || appId.isBlank() ? null : appId;
    }

    /**
     * Creates an account.
     *
     * @return the new uid
     * @throws MagpieApiException e.g. 409 when the username is taken, 400 for an invalid field
     */
    public long register(String username, String password, String nickname) {
        return Futures.join(registerAsync(username, password, nickname));
    }

    public CompletableFuture<Long> registerAsync(String username, String password, String nickname) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        body.put("nickname", nickname);
        return http.post(SERVICE, HttpJsonClient.resolve(baseUrl, REGISTER_PATH), body, http.json()::uid);
    }

    /**
     * Logs in one device for this client's app ({@link ClientConfig#appId()}, none if unset): the token then
     * carries it, and gates that serve specific apps admit only tokens of theirs.
     *
     * @throws MagpieApiException e.g. 401 for a wrong username or password
     */
    public Credentials login(String username, String password, String deviceId, Platform platform) {
        return Futures.join(loginAsync(username, password, deviceId, platform));
    }

    /**
     * Logs in one device for {@code appId} (null for none, whatever the config says).
     *
     * @throws MagpieApiException e.g. 401 for a wrong username or password, 400 for a malformed app id
     */
    public Credentials login(String username, String password, String deviceId, Platform platform, String appId) {
        return Futures.join(loginAsync(username, password, deviceId, platform, appId));
    }

    public CompletableFuture<Credentials> loginAsync(String username, String password, String deviceId,
                                                     Platform platform) {
        return loginAsync(username, password, deviceId, platform, appId);
    }

    public CompletableFuture<Credentials> loginAsync(String username, String password, String deviceId,
                                                     Platform platform, String appId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        body.put("deviceId", deviceId);
        body.put("platform", platform.name());
        if (appId != null && !appId.isBlank()) {
            // only when set: the body of a client without an app stays what it always was
            body.put("appId", appId);
        }
        return http.post(SERVICE, HttpJsonClient.resolve(baseUrl, LOGIN_PATH), body, http.json()::credentials);
    }

    /**
     * Gets a new access token (and a new refresh token: the old one is spent) without the password.
     * {@link MagpieClient} does this on its own before a reconnect with an expired token.
     *
     * @throws MagpieApiException 401 ({@code INVALID_REFRESH_TOKEN}, {@code REFRESH_TOKEN_REUSED}) when the
     *                            session ended: log in again; 429 when refreshing too often
     * @throws IllegalArgumentException when {@code credentials} hold no refresh token
     */
    public Credentials refresh(Credentials credentials) {
        return Futures.join(refreshAsync(credentials));
    }

    public CompletableFuture<Credentials> refreshAsync(Credentials credentials) {
        if (credentials.refreshToken() == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "these credentials hold no refresh token; log in again"));
        }
        return http.post(SERVICE, HttpJsonClient.resolve(baseUrl, REFRESH_PATH),
                Map.of("refreshToken", credentials.refreshToken()), http.json()::credentials);
    }

    /**
     * Logs the device of {@code credentials} out: {@code DELETE /v1/sessions/current} with its access token.
     * The server ends the device session, so neither the access token nor the refresh token work any more,
     * and kicks its live connections ({@code KICK TOKEN_REVOKED}). {@link MagpieClient#logout()} calls this
     * (refreshing an expired access token first) and sends LOGOUT to the gate as well.
     *
     * @throws MagpieApiException 401 ({@code UNAUTHORIZED}) when the access token is expired or the session
     *                            already ended; status 0, 429 or 5xx (retryable) when it could not be done now
     */
    public void logout(Credentials credentials) {
        Futures.join(logoutAsync(credentials));
    }

    public CompletableFuture<Void> logoutAsync(Credentials credentials) {
        return http.delete(SERVICE, HttpJsonClient.resolve(baseUrl, CURRENT_SESSION_PATH), credentials.token(),
                (what, status, body) -> null);
    }

    /**
     * Looks an account up by user name, to learn the uid to send to. Needs a logged-in caller.
     *
     * @throws MagpieApiException 404 when no account has that name, 401 when the token is no longer valid
     */
    public AccountInfo findByUsername(Credentials caller, String username) {
        return Futures.join(findByUsernameAsync(caller, username));
    }

    public CompletableFuture<AccountInfo> findByUsernameAsync(Credentials caller, String username) {
        String query = "?username=" + URLEncoder.encode(username, StandardCharsets.UTF_8);
        return http.get(SERVICE, HttpJsonClient.resolve(baseUrl, REGISTER_PATH + query), caller.token(),
                http.json()::account);
    }

    /**
     * Creates a group owned by the caller with {@code members} (the caller is always a member).
     *
     * @return the new group's id; its conversation is {@code g_<id>}
     * @throws MagpieApiException 400 for an unknown uid or too many members
     */
    public long createGroup(Credentials caller, String name, List<Long> members) {
        return Futures.join(createGroupAsync(caller, name, members));
    }

    public CompletableFuture<Long> createGroupAsync(Credentials caller, String name, List<Long> members) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("members", members);
        return http.post(SERVICE, HttpJsonClient.resolve(baseUrl, GROUPS_PATH), caller.token(), body,
                http.json()::groupId);
    }

    /** A page of a group's members ascending by uid ({@code GET /v1/groups/{id}/members}; members only). */
    public CompletableFuture<GroupMembersPage> groupMembersAsync(Credentials caller, long groupId, long afterUid,
            int limit) {
        return http.get(SERVICE, HttpJsonClient.resolve(baseUrl, GROUPS_PATH + "/" + groupId + "/members?afterUid="
                + afterUid + "&limit=" + limit), caller.token(), http.json()::groupMembers);
    }

    /** A page of the requests to join a group awaiting approval ({@code GET /v1/groups/{id}/join-requests}; admins). */
    public CompletableFuture<GroupJoinRequestsPage> groupJoinRequestsAsync(Credentials caller, long groupId,
            long afterUid, int limit) {
        return http.get(SERVICE, HttpJsonClient.resolve(baseUrl, GROUPS_PATH + "/" + groupId
                + "/join-requests?afterUid=" + afterUid + "&limit=" + limit), caller.token(), http.json()::joinRequests);
    }

    /**
     * Shares the caller's read receipts or not (docs/PROTOCOL.md §9.9): off, the caller's reads send no
     * {@code NOTICE_PEER_READ}, the caller sees no receipts, and {@code peer_read_seq} is 0 on both sides of the
     * caller's one-to-one conversations until a read after they are on again. On by default.
     *
     * @throws MagpieApiException 401 when the token is no longer valid, 404 when the account is gone
     */
    public void setReadReceipts(Credentials caller, boolean enabled) {
        Futures.join(setReadReceiptsAsync(caller, enabled));
    }

    public CompletableFuture<Void> setReadReceiptsAsync(Credentials caller, boolean enabled) {
        return http.put(SERVICE, HttpJsonClient.resolve(baseUrl, READ_RECEIPTS_PATH), caller.token(),
                Map.of("enabled", enabled), (what, status, body) -> null);
    }

    /**
     * Mutes one of the caller's conversations or not (docs/PROTOCOL.md §9.12): a muted one gets no push
     * notifications and is left out of {@code total_unread}. The row's version moves, so every device of the caller
     * learns it by SYNC ({@code ConversationInfo.muted}).
     *
     * @throws MagpieApiException 400 for a malformed id, 403 when the caller is not a member, 401 when the token
     *                            is no longer valid
     */
    public void setMuted(Credentials caller, String conversationId, boolean muted) {
        Futures.join(setMutedAsync(caller, conversationId, muted));
    }

    public CompletableFuture<Void> setMutedAsync(Credentials caller, String conversationId, boolean muted) {
        return conversationSetting(caller, conversationId, "mute", "muted", muted);
    }

    /**
     * Pins one of the caller's conversations or not (docs/PROTOCOL.md §9.12): SYNC shows it as {@code
     * ConversationInfo.pinned_at} (when, ms since the epoch; 0 = not pinned) on every device of the caller.
     *
     * @throws MagpieApiException as {@link #setMuted}
     */
    public void setPinned(Credentials caller, String conversationId, boolean pinned) {
        Futures.join(setPinnedAsync(caller, conversationId, pinned));
    }

    public CompletableFuture<Void> setPinnedAsync(Credentials caller, String conversationId, boolean pinned) {
        return conversationSetting(caller, conversationId, "pin", "pinned", pinned);
    }

    /**
     * Hides one of the caller's conversations from their list or shows it again (docs/PROTOCOL.md §9.12): SYNC
     * shows it as {@code ConversationInfo.deleted}; a new message in it shows it again. History and unread counts
     * stay as they are ({@link MagpieClient#clearHistory} clears).
     *
     * @throws MagpieApiException as {@link #setMuted}
     */
    public void setHidden(Credentials caller, String conversationId, boolean hidden) {
        Futures.join(setHiddenAsync(caller, conversationId, hidden));
    }

    public CompletableFuture<Void> setHiddenAsync(Credentials caller, String conversationId, boolean hidden) {
        return conversationSetting(caller, conversationId, "hide", "hidden", hidden);
    }

    /**
     * Who has read the message at {@code seq} (docs/PROTOCOL.md §9.9, read receipts on request): the members who
     * joined at or before it, share receipts and did not send it, split by whether they read it; the readers are
     * listed for groups of at most {@code logic.large-group-threshold} members (200). For a one-to-one message:
     * whether the sender's peer read it.
     *
     * @throws MagpieApiException 403 {@code READ_RECEIPTS_OFF} when the caller hides their own receipts, 403
     *                            {@code FORBIDDEN} for a non-member, 404 when no message has that seq
     */
    public ReadReceipts readReceipts(Credentials caller, String conversationId, long seq) {
        return Futures.join(readReceiptsAsync(caller, conversationId, seq));
    }

    public CompletableFuture<ReadReceipts> readReceiptsAsync(Credentials caller, String conversationId, long seq) {
        if (seq < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("seq must be >= 1, got " + seq));
        }
        return conversationPath(conversationId, "/messages/" + seq + "/receipts")
                .thenCompose(uri -> http.get(SERVICE, uri, caller.token(), http.json()::receipts));
    }

    /**
     * Uploads {@code file} for {@code conversationId} ({@code POST /v1/media}, docs/PROTOCOL.md §1.3); the answer's
     * {@link UploadedMedia#toMediaInfo()} goes into the message that sends it. The file is streamed, not read
     * into memory.
     *
     * @param mimeType the file's type, e.g. image/png; see {@link #guessMimeType}
     * @throws MagpieApiException 413 {@code MEDIA_TOO_LARGE} / {@code IMAGE_TOO_LARGE}, 415
     *                            {@code UNSUPPORTED_MEDIA_TYPE} / {@code MEDIA_TYPE_MISMATCH}, 403 not a member
     */
    public UploadedMedia uploadMedia(Credentials caller, String conversationId, java.nio.file.Path file,
                                     String mimeType) {
        return Futures.join(uploadMediaAsync(caller, conversationId, file, mimeType));
    }

    public CompletableFuture<UploadedMedia> uploadMediaAsync(Credentials caller, String conversationId,
                                                             java.nio.file.Path file, String mimeType) {
        io.magpie.client.internal.MultipartForm form;
        try {
            form = io.magpie.client.internal.MultipartForm.of("conversationId", conversationId, "file", file,
                    mimeType);
        } catch (java.io.FileNotFoundException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot read " + file + ": "
                    + e.getMessage(), e));
        }
        return http.postBody(SERVICE, HttpJsonClient.resolve(baseUrl, MEDIA_PATH), caller.token(), form.contentType(),
                form.body(), http.json()::uploadedMedia);
    }

    /**
     * Exchanges a media's stable reference for signed download URLs ({@code GET /v1/media/{id}/url}); only members
     * of the media's conversation get them.
     *
     * @param mediaIdOrUrl the media id, or the stable URL from a message's {@code MediaInfo.url}
     * @throws MagpieApiException 403 {@code FORBIDDEN} for a non-member, 404 for an unknown media
     */
    public MediaUrls mediaUrls(Credentials caller, String mediaIdOrUrl) {
        return Futures.join(mediaUrlsAsync(caller, mediaIdOrUrl));
    }

    public CompletableFuture<MediaUrls> mediaUrlsAsync(Credentials caller, String mediaIdOrUrl) {
        String id = mediaIdOrUrl == null ? "" : mediaIdOrUrl.replaceFirst("^.*/v1/media/", "").replaceFirst("/.*$", "");
        if (!id.matches("[A-Za-z0-9_-]{22}")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a media id or /v1/media/<id> URL: '"
                    + mediaIdOrUrl + "'"));
        }
        return http.get(SERVICE, HttpJsonClient.resolve(baseUrl, MEDIA_PATH + "/" + id + "/url"), caller.token(),
                (what, status, body) -> http.json().mediaUrls(baseUrl, what, status, body));
    }

    /** The bytes behind a signed URL from {@link #mediaUrls} (no token needed); held in memory. */
    public CompletableFuture<byte[]> downloadAsync(URI signedUrl) {
        return http.getBytes(SERVICE, signedUrl);
    }

    /**
     * The MIME type of {@code file} by its name: the common image, audio, video and document extensions, else what
     * the platform says ({@link java.nio.file.Files#probeContentType}), else application/octet-stream.
     */
    public static String guessMimeType(java.nio.file.Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        String known = switch (ext) {
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            case "bmp" -> "image/bmp";
            case "mp3" -> "audio/mpeg";
            case "m4a" -> "audio/mp4";
            case "ogg", "oga" -> "audio/ogg";
            case "wav" -> "audio/wav";
            case "mp4", "m4v" -> "video/mp4";
            case "webm" -> "video/webm";
            case "mov" -> "video/quicktime";
            case "pdf" -> "application/pdf";
            case "zip" -> "application/zip";
            case "txt" -> "text/plain";
            default -> null;
        };
        if (known != null) {
            return known;
        }
        try {
            String probed = java.nio.file.Files.probeContentType(file);
            return probed != null ? probed : "application/octet-stream";
        } catch (java.io.IOException e) {
            return "application/octet-stream";
        }
    }

    private CompletableFuture<Void> conversationSetting(Credentials caller, String conversationId, String setting,
                                                        String field, boolean value) {
        return conversationPath(conversationId, "/" + setting)
                .thenCompose(uri -> http.put(SERVICE, uri, caller.token(), Map.of(field, value),
                        (what, status, body) -> null));
    }

    private CompletableFuture<URI> conversationPath(String conversationId, String rest) {
        if (conversationId == null || conversationId.isBlank()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("conversationId is required"));
        }
        String id = URLEncoder.encode(conversationId, StandardCharsets.UTF_8).replace("+", "%20");
        return CompletableFuture.completedFuture(HttpJsonClient.resolve(baseUrl, CONVERSATIONS_PATH + id + rest));
    }
}
