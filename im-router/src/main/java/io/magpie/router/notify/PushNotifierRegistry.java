package io.magpie.router.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@link PushNotifier}s of a notifier worker by provider name (the {@code provider} of a
 * registered push token). Names are case-insensitive, 1-32 characters of {@code [a-z0-9_.-]}.
 *
 * <p>How an adapter plugs in: the role's composition root builds the registry, e.g.
 * <pre>{@code
 * PushNotifierRegistry notifiers = PushNotifierRegistry.builder()
 *         .registerBuiltIns(config)                    // "webhook", "apns", "fcm": those config enables
 *         .register("hms", new MyHmsNotifier(...))     // any PushNotifier
 *         .build();
 * }</pre>
 * Tokens whose provider has no notifier are skipped (logged), never retried.
 *
 * <p>The registry owns its notifiers: {@link #close()} closes those that are {@link AutoCloseable}
 * (the APNs client's connections, the FCM token fetcher). Immutable and thread-safe once built.
 */
public final class PushNotifierRegistry implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,32}");

    private final Map<String, PushNotifier> notifiers;

    private PushNotifierRegistry(Map<String, PushNotifier> notifiers) {
        this.notifiers = Map.copyOf(notifiers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The built-in notifiers {@code config} enables: {@code webhook} if a webhook URL is set, {@code apns}
     * and {@code fcm} if their settings are.
     */
    public static PushNotifierRegistry builtIn(NotifierConfig config) {
        return builder().registerBuiltIns(config).build();
    }

    /** The notifier of {@code provider} (any case), if one is registered. */
    public Optional<PushNotifier> find(String provider) {
        return provider == null ? Optional.empty()
                : Optional.ofNullable(notifiers.get(provider.toLowerCase(Locale.ROOT)));
    }

    /** The registered provider names, lower case. */
    public Set<String> providers() {
        return notifiers.keySet();
    }

    /** Closes every notifier that is {@link AutoCloseable}; the first failure is thrown after all were tried. */
    @Override
    public void close() {
        closeAll(notifiers.values());
    }

    private static void closeAll(Iterable<PushNotifier> notifiers) {
        RuntimeException first = null;
        for (PushNotifier n : notifiers) {
            if (n instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    RuntimeException failure = e instanceof RuntimeException r ? r
                            : new IllegalStateException("closing push notifier " + n + " failed", e);
                    if (first == null) {
                        first = failure;
                    } else {
                        first.addSuppressed(failure);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Collects notifiers; not thread-safe. */
    public static final class Builder {
        private final Map<String, PushNotifier> notifiers = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Registers {@code notifier} for tokens of {@code provider}.
         *
         * @throws IllegalArgumentException if the name is not 1-32 characters of [a-z0-9_.-] (any case)
         *                                  or already registered
         */
        public Builder register(String provider, PushNotifier notifier) {
            Objects.requireNonNull(notifier, "notifier");
            String name = provider == null ? "" : provider.toLowerCase(Locale.ROOT);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("push provider name must be 1-32 characters of [a-z0-9_.-], got '"
                        + provider + "'");
            }
            if (notifiers.putIfAbsent(name, notifier) != null) {
                throw new IllegalArgumentException("push provider '" + name + "' is registered twice; each provider"
                        + " has exactly one notifier");
            }
            return this;
        }

        /**
         * Registers the {@link WebhookNotifier} under {@code webhook} if {@code config} has a webhook URL, the
         * {@link ApnsNotifier} under {@code apns} if it has APNs settings, the {@link FcmNotifier} under
         * {@code fcm} if it has FCM settings.
         *
         * @throws IllegalArgumentException when a key or certificate file cannot be read (what was built
         *                                  here so far is closed)
         */
        public Builder registerBuiltIns(NotifierConfig config) {
            List<PushNotifier> built = new ArrayList<>();
            try {
                if (config.webhookUrl() != null) {
                    register(WebhookNotifier.PROVIDER, new WebhookNotifier(config.webhookUrl(), config.sendTimeout(),
                            config.webhookAuthorization()));
                }
                if (config.apns() != null) {
                    built.add(ApnsNotifier.create(config.apns(), config.sendTimeout()));
                    register(ApnsNotifier.PROVIDER, built.get(built.size() - 1));
                }
                if (config.fcm() != null) {
                    built.add(FcmNotifier.create(config.fcm(), config.sendTimeout()));
                    register(FcmNotifier.PROVIDER, built.get(built.size() - 1));
                }
            } catch (RuntimeException e) {
                try {
                    closeAll(built);
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return this;
        }

        public PushNotifierRegistry build() {
            return new PushNotifierRegistry(notifiers);
        }
    }
}
