package io.magpie.router.notify;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.ApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.eatthepath.pushy.apns.util.TokenUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The {@link PushNotifier} of provider {@code apns}: Apple Push Notification service over HTTP/2 with
 * token-based authentication, on Pushy's {@link ApnsClient} (which signs and renews the provider JWT).
 *
 * <p>Mapping of a {@link PushNotification}: {@code apns-topic} = the configured bundle id;
 * {@code apns-collapse-id} and {@code aps.thread-id} = the conversation; {@code apns-expiration} = now +
 * {@link ApnsConfig#expiration()}. {@link PushNotification.Priority#NORMAL}: push type {@code alert},
 * {@code apns-priority} 10, {@code aps.alert} {title (if configured), body = preview}, sound
 * {@code default}, {@code mutable-content} 1 (a Notification Service Extension may rewrite it).
 * {@link PushNotification.Priority#SILENT}: push type {@code background}, {@code apns-priority} 5,
 * {@code content-available} 1 and no alert. Both carry {@code aps.badge} when the notification has one,
 * and {@code "magpie": {"conversationId", "seq", "msgId" (a decimal string), "senderUid"}} for the app.
 *
 * <p>Answers: 200 = delivered. {@code BadDeviceToken}, {@code Unregistered} (410) and {@code ExpiredToken}
 * = dead token ({@link NotificationException#deadToken}: the worker removes it). 429, 5xx,
 * {@code ExpiredProviderToken} and connection failures = retryable. Any other rejection (a bad topic, a
 * payload too large...) = not retryable, the token kept: the same request would be refused again.
 *
 * <p>Thread-safe; {@link #close()} closes the client and its connections.
 */
public final class ApnsNotifier implements PushNotifier, AutoCloseable {

    public static final String PROVIDER = "apns";
    /** Rejection reasons that say the device token itself is gone (Apple's "Handling notification responses"). */
    static final Set<String> DEAD_TOKEN_REASONS = Set.of("BadDeviceToken", "Unregistered", "ExpiredToken");
    private static final Set<String> RETRYABLE_REASONS = Set.of("ExpiredProviderToken", "TooManyProviderTokenUpdates",
            "TooManyRequests", "InternalServerError", "ServiceUnavailable", "Shutdown", "IdleTimeout");
    /** APNs refuses an {@code apns-collapse-id} longer than this many bytes. */
    private static final int MAX_COLLAPSE_ID_BYTES = 64;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final ApnsClient client;
    private final ApnsConfig config;
    private final Clock clock;

    ApnsNotifier(ApnsClient client, ApnsConfig config, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Loads the signing key and builds the client (connections open on the first notification).
     *
     * @param connectTimeout limit of one connection attempt (the worker's send timeout)
     * @throws IllegalArgumentException when the key or certificate file cannot be read or is not what it should be
     */
    public static ApnsNotifier create(ApnsConfig config, Duration connectTimeout) {
        ApnsSigningKey key;
        try {
            key = ApnsSigningKey.loadFromPkcs8File(config.signingKeyFile().toFile(), config.teamId(), config.keyId());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("notifier.apns.signing-key-file " + config.signingKeyFile()
                    + " is not a readable APNs auth key (.p8, PKCS#8 PEM of an EC P-256 key): " + e.getMessage(), e);
        }
        ApnsClientBuilder builder = new ApnsClientBuilder()
                .setApnsServer(config.effectiveHost(), config.port())
                .setSigningKey(key)
                .setConcurrentConnections(config.concurrentConnections())
                .setConnectionTimeout(connectTimeout);
        if (config.trustedCertificateFile() != null) {
            if (!Files.isReadable(config.trustedCertificateFile())) {
                throw new IllegalArgumentException("notifier.apns.trusted-certificate-file "
                        + config.trustedCertificateFile() + " cannot be read");
            }
            builder.setTrustedServerCertificateChain(config.trustedCertificateFile().toFile());
        }
        try {
            return new ApnsNotifier(builder.build(), config, Clock.systemUTC());
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS for APNs " + config.effectiveHost() + ":"
                    + config.port() + " (notifier.apns.trusted-certificate-file " + config.trustedCertificateFile()
                    + "): " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Void> send(PushNotification n) {
        SimpleApnsPushNotification request = request(n);
        return client.sendNotification(request).handle((response, error) -> {
            if (error != null) {
                throw failure(error);
            }
            if (!response.isAccepted()) {
                throw rejection(response);
            }
            return null;
        });
    }

    /** The APNs request for {@code n}: headers and JSON payload. */
    SimpleApnsPushNotification request(PushNotification n) {
        boolean silent = n.priority() == PushNotification.Priority.SILENT;
        Instant expiration = config.expiration().isZero() ? Instant.EPOCH : clock.instant().plus(config.expiration());
        String collapseId = n.collapseKey().getBytes(StandardCharsets.UTF_8).length <= MAX_COLLAPSE_ID_BYTES
                ? n.collapseKey() : null; // longer than APNs takes: no collapsing rather than a refused notification
        return new SimpleApnsPushNotification(TokenUtil.sanitizeTokenString(n.token()), config.topic(), payload(n),
                expiration, silent ? DeliveryPriority.CONSERVE_POWER : DeliveryPriority.IMMEDIATE,
                silent ? PushType.BACKGROUND : PushType.ALERT, collapseId);
    }

    private String payload(PushNotification n) {
        ApnsPayloadBuilder payload = new SimpleApnsPayloadBuilder().setThreadId(n.conversationId());
        if (n.priority() == PushNotification.Priority.SILENT) {
            payload.setContentAvailable(true);
        } else {
            if (config.alertTitle() != null) {
                payload.setAlertTitle(config.alertTitle());
            }
            payload.setAlertBody(n.preview())
                    .setSound(ApnsPayloadBuilder.DEFAULT_SOUND_FILENAME)
                    .setMutableContent(true);
        }
        n.badge().ifPresent(payload::setBadgeNumber);
        Map<String, Object> magpie = new LinkedHashMap<>();
        magpie.put("conversationId", n.conversationId());
        magpie.put("seq", n.seq());
        magpie.put("msgId", Long.toString(n.msgId())); // a snowflake above 2^53: a string (PROTOCOL.md 7.0)
        magpie.put("senderUid", n.senderUid());
        payload.addCustomProperty("magpie", magpie);
        return payload.build();
    }

    private NotificationException rejection(PushNotificationResponse<SimpleApnsPushNotification> response) {
        int status = response.getStatusCode();
        String reason = response.getRejectionReason().orElse("");
        String what = "APNs " + config.effectiveHost() + " refused the notification: HTTP " + status
                + (reason.isEmpty() ? "" : " " + reason);
        if (DEAD_TOKEN_REASONS.contains(reason) || status == 410) {
            return NotificationException.deadToken(what + response.getTokenInvalidationTimestamp()
                    .map(t -> " (token invalid since " + t + ")").orElse(""));
        }
        boolean retryable = status == 429 || status >= 500 || RETRYABLE_REASONS.contains(reason);
        return new NotificationException(what + (retryable ? "; retryable" : "; not retryable: the same request"
                + " would be refused again (check notifier.apns.topic and the key)"), null, retryable);
    }

    private NotificationException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new NotificationException("sending to APNs " + config.effectiveHost() + ":" + config.port()
                + " failed (" + cause + "); retryable", cause, true);
    }

    @Override
    public void close() {
        try {
            client.close().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("APNs client did not close within " + CLOSE_TIMEOUT + ": " + e, e);
        }
    }
}
