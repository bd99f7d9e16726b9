package io.magpie.router.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The {@link PushNotifier} of provider {@code fcm}: Firebase Cloud Messaging's HTTP v1 API,
 * {@code POST {base}/v1/projects/{project}/messages:send} with an OAuth2 access token of a service
 * account ({@link FcmAccessTokens}), through {@code java.net.http} without blocking the caller.
 *
 * <p>The message of a {@link PushNotification}: {@code token}; {@code data} = strings
 * {@code conversationId, seq, msgId, senderUid} (and {@code badge} when there is one);
 * {@code android.collapse_key} = the conversation; {@code android.ttl} = {@link FcmConfig#ttl()}.
 * {@link PushNotification.Priority#NORMAL}: {@code android.priority} {@code HIGH} and a
 * {@code notification {title (if configured), body = preview}} ({@code android.notification.tag} = the
 * conversation, {@code notification_count} = the badge). {@link PushNotification.Priority#SILENT}:
 * {@code android.priority} {@code NORMAL}, data only.
 *
 * <p>Answers (FCM's documented error body {@code {"error":{"code","status","details":[{"@type":
 * "type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode"}]}}}): 2xx = delivered.
 * {@code UNREGISTERED} (404), or {@code INVALID_ARGUMENT} about the registration token (a field violation on
 * {@code message.token}, or a message naming the registration token) = dead token. A bare 404 without
 * {@code UNREGISTERED} is NOT taken for a dead token: a wrong project id answers 404 too, and must not
 * empty the token table. 429, 500, 503 (and {@code UNAVAILABLE}, {@code INTERNAL},
 * {@code QUOTA_EXCEEDED}) = retryable, after the {@code Retry-After} the answer names; 401 = retryable
 * with a new access token. Anything else = not retryable.
 *
 * <p>Thread-safe; {@link #close()} stops the token fetcher.
 */
public final class FcmNotifier implements PushNotifier, AutoCloseable {

    public static final String PROVIDER = "fcm";
    private static final String FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
    private static final String BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
    private static final Set<String> RETRYABLE_CODES = Set.of("UNAVAILABLE", "INTERNAL", "QUOTA_EXCEEDED");
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final HttpClient http;
    private final FcmAccessTokens tokens;
    private final FcmConfig config;
    private final URI sendUrl;
    private final Duration timeout;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    FcmNotifier(HttpClient http, FcmAccessTokens tokens, FcmConfig config, String projectId, Duration timeout,
            Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.config = Objects.requireNonNull(config, "config");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        String base = config.baseUrl().toString().replaceAll("/+$", "");
        this.sendUrl = URI.create(base + "/v1/projects/" + projectId + "/messages:send");
    }

    /**
     * Reads the service account key and builds the notifier (the first access token is fetched with the
     * first notification).
     *
     * @param timeout connect and response limit of one request (the worker's send timeout)
     * @throws IllegalArgumentException when the key file cannot be read, or names no project and none is set
     */
    public static FcmNotifier create(FcmConfig config, Duration timeout) {
        ServiceAccountCredentials account = FcmAccessTokens.serviceAccount(config.serviceAccountFile(),
                config.tokenUrl());
        String project = config.projectId() != null ? config.projectId() : account.getProjectId();
        if (project == null || project.isBlank()) {
            throw new IllegalArgumentException("notifier.fcm.project-id is required: "
                    + config.serviceAccountFile() + " has no project_id");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        return new FcmNotifier(http, FcmAccessTokens.of(account), config, project, timeout, Clock.systemUTC());
    }

    /** Where messages are POSTed. */
    public URI sendUrl() {
        return sendUrl;
    }

    @Override
    public CompletableFuture<Void> send(PushNotification n) {
        byte[] body = body(n);
        return tokens.current()
                .thenCompose(accessToken -> http.sendAsync(HttpRequest.newBuilder(sendUrl)
                        .timeout(timeout)
                        .header("Authorization", "Bearer " + accessToken)
                        .header("Content-Type", "application/json; charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofString()))
                .handle((response, error) -> {
                    if (error != null) {
                        throw failure(error);
                    }
                    if (response.statusCode() / 100 == 2) {
                        return null;
                    }
                    throw rejection(response);
                });
    }

    /** The JSON body of the send request for {@code n}. */
    byte[] body(PushNotification n) {
        boolean silent = n.priority() == PushNotification.Priority.SILENT;
        ObjectNode message = json.createObjectNode().put("token", n.token());
        if (!silent) {
            ObjectNode notification = message.putObject("notification");
            if (config.title() != null) {
                notification.put("title", config.title());
            }
            notification.put("body", n.preview());
        }
        ObjectNode data = message.putObject("data")
                .put("conversationId", n.conversationId())
                .put("seq", Long.toString(n.seq()))
                .put("msgId", Long.toString(n.msgId()))
                .put("senderUid", Long.toString(n.senderUid()));
        n.badge().ifPresent(b -> data.put("badge", Integer.toString(b)));
        ObjectNode android = message.putObject("android")
                .put("collapse_key", n.collapseKey())
                .put("priority", silent ? "NORMAL" : "HIGH")
                .put("ttl", config.ttl().toSeconds() + "s");
        if (!silent) {
            ObjectNode androidNotification = android.putObject("notification").put("tag", n.conversationId());
            n.badge().ifPresent(b -> androidNotification.put("notification_count", b));
        }
        ObjectNode root = json.createObjectNode();
        root.set("message", message);
        try {
            return json.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree of strings and numbers", e);
        }
    }

    private NotificationException rejection(HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode error = parse(response.body()).path("error");
        String code = fcmErrorCode(error);
        String what = "FCM " + sendUrl + " answered HTTP " + status + " " + code + " (" + abbreviate(response.body())
                + ")";
        if ("UNREGISTERED".equals(code) || ("INVALID_ARGUMENT".equals(code) && aboutTheToken(error))) {
            return NotificationException.deadToken(what);
        }
        if (status == 401) {
            tokens.invalidate();
            return new NotificationException(what + "; retryable with a new access token", null, true);
        }
        if (status == 429 || status >= 500 || RETRYABLE_CODES.contains(code)) {
            Duration wait = retryAfter(response).orElse(null);
            return NotificationException.retryAfter(what + "; retryable" + (wait == null ? ""
                    : " after " + wait.toSeconds() + " s (Retry-After)"), wait);
        }
        return new NotificationException(what + "; not retryable: the same request would be refused again", null,
                false);
    }

    /** The FcmError's {@code errorCode}, else the error's {@code status}, else "" (not a Google error body). */
    private static String fcmErrorCode(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (FCM_ERROR.equals(detail.path("@type").asText()) && detail.hasNonNull("errorCode")) {
                return detail.get("errorCode").asText();
            }
        }
        return error.path("status").asText("");
    }

    /** Whether an INVALID_ARGUMENT is about the registration token, not about the rest of the message. */
    private static boolean aboutTheToken(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (BAD_REQUEST.equals(detail.path("@type").asText())) {
                for (JsonNode violation : detail.path("fieldViolations")) {
                    if ("message.token".equals(violation.path("field").asText())) {
                        return true;
                    }
                }
            }
        }
        return error.path("message").asText("").toLowerCase(Locale.ROOT).contains("registration token");
    }

    private Optional<Duration> retryAfter(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            String value = v.trim();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
            } catch (NumberFormatException notSeconds) {
                try {
                    Duration d = Duration.between(clock.instant(),
                            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                    return Optional.of(d.isNegative() ? Duration.ZERO : d);
                } catch (DateTimeParseException notADate) {
                    return Optional.empty(); // unreadable: the backoff alone decides
                }
            }
        });
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? json.missingNode() : json.readTree(body);
        } catch (JsonProcessingException e) {
            return json.missingNode(); // a proxy's HTML page: judged by the status alone
        }
    }

    private NotificationException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof NotificationException ne) {
            return ne; // from the token fetch
        }
        if (cause instanceof HttpTimeoutException) {
            return new NotificationException("FCM " + sendUrl + " did not answer within " + timeout.toMillis()
                    + " ms (retryable)", cause, true);
        }
        String kind = cause instanceof IOException ? "" : " unexpectedly";
        return new NotificationException("POST to FCM " + sendUrl + " failed" + kind + " (" + cause + "); retryable",
                cause, true);
    }

    private static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "empty body";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_BODY_IN_MESSAGE ? oneLine : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    @Override
    public void close() {
        tokens.close();
    }
}
