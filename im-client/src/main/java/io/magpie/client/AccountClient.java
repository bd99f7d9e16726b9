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
 * a {@link MagpieClient} connects with, refresh it, log out.
 *
 * <p>Wire: {@code POST /v1/accounts {username, password, nickname}} -> {@code {uid}};
 * {@code POST /v1/sessions {username, password, deviceId, platform}} and
 * {@code POST /v1/sessions/refresh {refreshToken}} -> {@code {uid, token, expiresAt, refreshToken,
 * refreshExpiresAt}} (times in epoch millis; an ISO-8601 instant is accepted too);
 * {@code DELETE /v1/sessions/current} with {@code Authorization: Bearer <access token>} -> 204;
 * {@code PUT /v1/me/settings/read-receipts {enabled}} -> 204; as described
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
    private static final String SERVICE = "account API";

    private final URI baseUrl;
    private final HttpJsonClient http;

    /** Uses {@link ClientConfig#accountApiUrl()} and {@link ClientConfig#requestTimeout()}. */
    public AccountClient(ClientConfig config) {
        this(config.accountApiUrl(), HttpJsonClient.newHttpClient(config),
                config.requestTimeout());
    }

    public AccountClient(URI baseUrl, HttpClient httpClient, Duration requestTimeout) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.http = new HttpJsonClient(httpClient, new ApiJson(new ObjectMapper()), requestTimeout);
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
     * Logs in one device.
     *
     * @throws MagpieApiException e.g. 401 for a wrong username or password
     */
    public Credentials login(String username, String password, String deviceId, Platform platform) {
        return Futures.join(loginAsync(username, password, deviceId, platform));
    }

    public CompletableFuture<Credentials> loginAsync(String username, String password, String deviceId,
                                                     Platform platform) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        body.put("deviceId", deviceId);
        body.put("platform", platform.name());
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
}
