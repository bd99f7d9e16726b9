package io.magpie.hooks.internal;

import io.magpie.hooks.HookSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * POSTs signed JSON to hook endpoints over one shared JDK {@link HttpClient} (HTTP/1.1, connections kept alive).
 * Asynchronous and thread-safe; the client's threads are daemon threads.
 */
public final class HookHttp {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client;
    private final Clock clock;

    public HookHttp(Clock clock) {
        this.clock = clock;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Sends {@code body} to {@code url}; the future fails on a network error or when {@code timeout} passes. */
    public CompletableFuture<HttpResponse<byte[]>> post(URI url, String event, byte[] body, HookSigner signer,
            Duration timeout) {
        long now = clock.millis();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "magpie-hooks/1")
                .header(HookSigner.EVENT_HEADER, event)
                .header(HookSigner.TIMESTAMP_HEADER, Long.toString(now))
                .header(HookSigner.SIGNATURE_HEADER, signer.sign(now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
