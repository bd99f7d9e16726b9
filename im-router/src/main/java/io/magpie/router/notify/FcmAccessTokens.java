package io.magpie.router.notify;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * OAuth2 access tokens of a service account for the FCM HTTP v1 API (scope
 * {@code https://www.googleapis.com/auth/firebase.messaging}), from google-auth-library: a JWT signed
 * with the account's private key is exchanged at the token endpoint (JWT-bearer grant). A cached
 * token is handed out at once; fetching one (blocking HTTP in the library) runs on a thread of its own,
 * so a caller on an I/O thread never waits on it. Thread-safe; {@link #close()} stops that thread.
 */
final class FcmAccessTokens implements AutoCloseable {

    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    /** A token closer to its expiry than this is renewed before use (the library's own margin is 3 min). */
    private static final Duration MARGIN = Duration.ofMinutes(5);

    private final GoogleCredentials credentials;
    private final Clock clock;
    private final AtomicBoolean stale = new AtomicBoolean();
    private final ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fcm-oauth2-token");
        t.setDaemon(true);
        return t;
    });

    FcmAccessTokens(GoogleCredentials credentials, Clock clock) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The service account of {@code keyFile}; its token endpoint replaced by {@code tokenUrl} unless null. */
    static ServiceAccountCredentials serviceAccount(Path keyFile, URI tokenUrl) {
        try (InputStream in = Files.newInputStream(keyFile)) {
            ServiceAccountCredentials account = ServiceAccountCredentials.fromStream(in);
            return tokenUrl == null ? account : account.toBuilder().setTokenServerUri(tokenUrl).build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("notifier.fcm.service-account-file " + keyFile + " is not a readable"
                    + " service account key (the JSON file of Firebase console, Service accounts): " + e.getMessage(),
                    e);
        }
    }

    static FcmAccessTokens of(ServiceAccountCredentials account) {
        return new FcmAccessTokens(account.createScoped(List.of(SCOPE)), Clock.systemUTC());
    }

    /** A valid access token: the cached one, or a new one fetched off the caller's thread. */
    CompletableFuture<String> current() {
        AccessToken cached = credentials.getAccessToken();
        if (!stale.get() && cached != null && cached.getExpirationTime() != null
                && cached.getExpirationTime().toInstant().isAfter(clock.instant().plus(MARGIN))) {
            return CompletableFuture.completedFuture(cached.getTokenValue());
        }
        return CompletableFuture.supplyAsync(this::fetch, fetcher);
    }

    /** The endpoint refused the token in use (HTTP 401): the next {@link #current()} fetches a new one. */
    void invalidate() {
        stale.set(true);
    }

    private String fetch() {
        try {
            if (stale.getAndSet(false)) {
                credentials.refresh();
            } else {
                credentials.refreshIfExpired();
            }
            return credentials.getAccessToken().getTokenValue();
        } catch (IOException e) {
            stale.set(true);
            throw new NotificationException("no FCM access token: the OAuth2 token endpoint failed (" + e.getMessage()
                    + "); retryable", e, true);
        }
    }

    @Override
    public void close() {
        fetcher.shutdownNow();
    }
}
