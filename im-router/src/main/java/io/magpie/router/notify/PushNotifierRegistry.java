package io.magpie.router.notify;

import java.util.LinkedHashMap;
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
 *         .registerBuiltIns(config)                    // "webhook", when config.webhookUrl() is set
 *         .register("apns", new MyApnsNotifier(...))   // any PushNotifier
 *         .build();
 * }</pre>
 * Tokens whose provider has no notifier are skipped (logged), never retried.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class PushNotifierRegistry {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,32}");

    private final Map<String, PushNotifier> notifiers;

    private PushNotifierRegistry(Map<String, PushNotifier> notifiers) {
        this.notifiers = Map.copyOf(notifiers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The built-in notifiers {@code config} enables: {@code webhook} if a webhook URL is set. */
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

        /** Registers the {@link WebhookNotifier} under {@code webhook} if {@code config} has a webhook URL. */
        public Builder registerBuiltIns(NotifierConfig config) {
            if (config.webhookUrl() != null) {
                register(WebhookNotifier.PROVIDER, new WebhookNotifier(config.webhookUrl(), config.sendTimeout(),
                        config.webhookAuthorization()));
            }
            return this;
        }

        public PushNotifierRegistry build() {
            return new PushNotifierRegistry(notifiers);
        }
    }
}
