package io.magpie.router.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The built-in {@link PushNotifier} of provider {@code webhook}: POSTs each notification as JSON to one
 * configured URL (the operator's relay to whatever delivers it), with {@code java.net.http}:
 * <pre>{@code
 * {"uid":42,"deviceId":"phone-1","provider":"webhook","token":"<as registered>","conversationId":"s_7_42",
 *  "msgId":123456789,"seq":17,"senderUid":7,"preview":"hello","mentioned":false}
 * }</pre>
 * Outcome: 2xx = delivered; 408, 429, 5xx, a timeout or an I/O error = retryable failure; any other
 * status = permanent failure (the same request would be refused again). An {@code Authorization}
 * header is sent when configured.
 *
 * <p>Thread-safe; holds one {@link HttpClient} (its threads are daemon threads, nothing to close).
 */
public final class WebhookNotifier implements PushNotifier {

    public static final String PROVIDER = "webhook";
    private static final int MAX_BODY_IN_MESSAGE = 200;

    private final HttpClient http;
    private final URI url;
    private final Duration timeout;
    private final String authorization;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param timeout       connect and response limit of one POST
     * @param authorization value of the {@code Authorization} header, or null for none
     */
    public WebhookNotifier(URI url, Duration timeout, String authorization) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build(), url,
                timeout, authorization);
    }

    public WebhookNotifier(HttpClient http, URI url, Duration timeout, String authorization) {
        this.http = Objects.requireNonNull(http, "http");
        this.url = Objects.requireNonNull(url, "url");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.authorization = authorization == null || authorization.isBlank() ? null : authorization;
    }

    @Override
    public CompletableFuture<Void> send(PushNotification n) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "magpie-notifier")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(n)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        throw failure(error);
                    }
                    int status = response.statusCode();
                    if (status >= 200 && status < 300) {
                        return null;
                    }
                    boolean retryable = status == 408 || status == 429 || status >= 500;
                    throw new NotificationException("webhook " + url + " answered HTTP " + status + " ("
                            + abbreviate(response.body()) + "); " + (retryable ? "retryable" : "not retryable: the"
                            + " same request would be refused again"), null, retryable);
                });
    }

    private NotificationException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException) {
            return new NotificationException("webhook " + url + " did not answer within "
                    + timeout.toMillis() + " ms (retryable)", cause, true);
        }
        if (cause instanceof IOException) {
            return new NotificationException("POST to webhook " + url + " failed (" + cause
                    + "); retryable", cause, true);
        }
        return new NotificationException("POST to webhook " + url + " failed unexpectedly (" + cause
                + "); retryable", cause, true);
    }

    private byte[] body(PushNotification n) {
        ObjectNode o = json.createObjectNode()
                .put("uid", n.uid())
                .put("deviceId", n.deviceId())
                .put("provider", n.provider())
                .put("token", n.token())
                .put("conversationId", n.conversationId())
                .put("msgId", n.msgId())
                .put("seq", n.seq())
                .put("senderUid", n.senderUid())
                .put("preview", n.preview())
                .put("mentioned", n.mentioned());
        try {
            return json.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree of strings and numbers", e);
        }
    }

    private static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "empty body";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_BODY_IN_MESSAGE ? oneLine : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
}
