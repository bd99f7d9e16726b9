package io.magpie.hooks;

import io.magpie.protocol.auth.TokenClaims;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every webhook of a deployment ({@code hooks.*}): a default for all apps and overrides per app id (the app id of
 * the token of the session that sent the message or made the change; sessions of tokens without one get the
 * default). Validated once; immutable.
 *
 * @param beforeSend      the default before-send hook
 * @param beforeSendByApp before-send hooks of single apps, by app id (an app listed here with a disabled hook has
 *                        none, whatever the default)
 * @param afterSend       the default after-send hook: events of sessions without an app id and of apps without
 *                        settings of their own
 * @param afterSendByApp  after-send hooks of the apps with an endpoint of their own, by app id: each runs its own
 *                        consumer loop, and the default does not get their events (an app listed here with a
 *                        disabled hook gets none). Apps not listed share the default's endpoint
 */
public record WebhookConfig(BeforeSendSettings beforeSend, Map<String, BeforeSendSettings> beforeSendByApp,
                            AfterSendSettings afterSend, Map<String, AfterSendSettings> afterSendByApp) {

    public static final WebhookConfig DISABLED = new WebhookConfig(BeforeSendSettings.DISABLED, Map.of(),
            AfterSendSettings.DISABLED, Map.of());

    public WebhookConfig {
        beforeSend = Objects.requireNonNullElse(beforeSend, BeforeSendSettings.DISABLED);
        beforeSendByApp = Map.copyOf(Objects.requireNonNullElse(beforeSendByApp, Map.of()));
        afterSend = Objects.requireNonNullElse(afterSend, AfterSendSettings.DISABLED);
        afterSendByApp = Map.copyOf(Objects.requireNonNullElse(afterSendByApp, Map.of()));
        for (String app : beforeSendByApp.keySet()) {
            requireValidAppId(app);
        }
        for (String app : afterSendByApp.keySet()) {
            requireValidAppId(app);
        }
    }

    private static void requireValidAppId(String app) {
        if (!TokenClaims.validAppId(app)) {
            throw new IllegalArgumentException("hooks.app-ids entries must be " + TokenClaims.APP_ID_RULE
                    + ", got '" + app + "'");
        }
    }

    /** The before-send hook of messages whose sender's token names {@code appId} ("" or null: no app). */
    public BeforeSendSettings beforeSendFor(String appId) {
        if (appId == null || appId.isEmpty()) {
            return beforeSend;
        }
        return beforeSendByApp.getOrDefault(appId, beforeSend);
    }

    /** Whether any app has a before-send hook. */
    public boolean anyBeforeSend() {
        return beforeSend.enabled() || beforeSendByApp.values().stream().anyMatch(BeforeSendSettings::enabled);
    }

    /** The after-send hook of the events of sessions whose token names {@code appId} ("" or null: no app). */
    public AfterSendSettings afterSendFor(String appId) {
        if (appId == null || appId.isEmpty()) {
            return afterSend;
        }
        return afterSendByApp.getOrDefault(appId, afterSend);
    }

    /**
     * The after-send endpoints to run, one consumer loop each: the default one (when its url is set) first, then
     * each app's own (when its url is set), by app id.
     */
    public List<AfterSendEndpoint> afterSendEndpoints() {
        List<AfterSendEndpoint> endpoints = new ArrayList<>();
        if (afterSend.enabled()) {
            endpoints.add(AfterSendEndpoint.ofDefault(afterSend, afterSendByApp.keySet()));
        }
        afterSendByApp.entrySet().stream()
                .filter(e -> e.getValue().enabled())
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> endpoints.add(AfterSendEndpoint.ofApp(e.getKey(), e.getValue())));
        return List.copyOf(endpoints);
    }
}
