package io.magpie.client.internal;

import io.magpie.client.ClientConfig;
import io.magpie.client.MagpieApiException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends JSON requests with {@link HttpClient} and hands 2xx bodies to a parser; anything else
 * becomes a {@link MagpieApiException} (status 0 when no response arrived). Thread-safe.
 */
public final class HttpJsonClient {

    /** Parses a successful answer; {@code what} names the call in error messages. */
    @FunctionalInterface
    public interface BodyParser<T> {
        T parse(String what, int status, String body);
    }

    private final HttpClient http;
    private final ApiJson json;
    private final Duration timeout;

    public HttpJsonClient(HttpClient http, ApiJson json, Duration timeout) {
        this.http = http;
        this.json = json;
        this.timeout = timeout;
    }

    /**
     * The HTTP client for the account API and the LSB: the config's connect timeout, and for
     * {@code https://} the config's trust ({@link ClientConfig#tls()}; the JDK's trust store when null).
     */
    public static HttpClient newHttpClient(ClientConfig config) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.connectTimeout());
        if (config.tls() != null) {
            builder.sslContext(config.tls().jdkContext());
        }
        return builder.build();
    }

    public ApiJson json() {
        return json;
    }

    public <T> CompletableFuture<T> get(String service, URI uri, BodyParser<T> parser) {
        return get(service, uri, null, parser);
    }

    /** A GET carrying {@code Authorization: Bearer <bearerToken>} when the token is not null. */
    public <T> CompletableFuture<T> get(String service, URI uri, String bearerToken, BodyParser<T> parser) {
        HttpRequest request = authorized(HttpRequest.newBuilder(uri), bearerToken).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        return send(service + " GET " + uri.getPath(), request, parser);
    }

    public <T> CompletableFuture<T> post(String service, URI uri, Object body, BodyParser<T> parser) {
        return post(service, uri, null, body, parser);
    }

    /** A POST carrying {@code Authorization: Bearer <bearerToken>} when the token is not null. */
    public <T> CompletableFuture<T> post(String service, URI uri, String bearerToken, Object body, BodyParser<T> parser) {
        HttpRequest request = authorized(HttpRequest.newBuilder(uri), bearerToken).timeout(timeout)
                .header("Accept", "application/json").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.write(body))).build();
        return send(service + " POST " + uri.getPath(), request, parser);
    }

    /** A PUT of a JSON body carrying {@code Authorization: Bearer <bearerToken>}; {@code parser} gets the (often empty) body. */
    public <T> CompletableFuture<T> put(String service, URI uri, String bearerToken, Object body, BodyParser<T> parser) {
        HttpRequest request = authorized(HttpRequest.newBuilder(uri), bearerToken).timeout(timeout)
                .header("Accept", "application/json").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.write(body))).build();
        return send(service + " PUT " + uri.getPath(), request, parser);
    }

    /**
     * A POST of a body that is not JSON (a multipart upload) carrying {@code Authorization: Bearer <bearerToken>};
     * without the request timeout, which is for small calls: an upload lasts as long as its bytes take.
     */
    public <T> CompletableFuture<T> postBody(String service, URI uri, String bearerToken, String contentType,
            HttpRequest.BodyPublisher body, BodyParser<T> parser) {
        HttpRequest request = authorized(HttpRequest.newBuilder(uri), bearerToken)
                .header("Accept", "application/json").header("Content-Type", contentType)
                .POST(body).build();
        return send(service + " POST " + uri.getPath(), request, parser);
    }

    /** A GET of bytes (a download), no token: a signed URL is its own credential. No request timeout either. */
    public CompletableFuture<byte[]> getBytes(String service, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        String what = service + " GET " + uri.getPath();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                throw new MagpieApiException(0, "UNREACHABLE", what + ": " + cause + "; retry", cause);
            }
            if (response.statusCode() != 200) {
                throw json.error(what, response.statusCode(),
                        new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return response.body();
        });
    }

    /** A DELETE carrying {@code Authorization: Bearer <bearerToken>}; {@code parser} gets the (often empty) body. */
    public <T> CompletableFuture<T> delete(String service, URI uri, String bearerToken, BodyParser<T> parser) {
        HttpRequest request = authorized(HttpRequest.newBuilder(uri), bearerToken).timeout(timeout)
                .header("Accept", "application/json").DELETE().build();
        return send(service + " DELETE " + uri.getPath(), request, parser);
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder builder, String bearerToken) {
        return bearerToken == null ? builder : builder.header("Authorization", "Bearer " + bearerToken);
    }

    private <T> CompletableFuture<T> send(String what, HttpRequest request, BodyParser<T> parser) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        String why = cause instanceof HttpTimeoutException
                                ? "no answer within " + timeout.toMillis() + " ms"
                                : cause instanceof IOException ? "unreachable (" + cause + ")" : cause.toString();
                        throw new MagpieApiException(0, "UNREACHABLE", what + " at " + request.uri() + ": " + why
                                + "; check the URL and that the service runs, then retry", cause);
                    }
                    int status = response.statusCode();
                    if (status < 200 || status > 299) {
                        throw json.error(what, status, response.body());
                    }
                    return parser.parse(what, status, response.body());
                });
    }

    /** {@code base} + {@code path}, keeping a path prefix of the base (http://host/api + /v1/x). */
    public static URI resolve(URI base, String path) {
        String b = base.toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + path);
    }
}
