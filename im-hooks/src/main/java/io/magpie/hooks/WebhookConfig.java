package io.magpie.hooks;

import io.magpie.protocol.auth.TokenClaims;
import java.util.Map;
import java.util.Objects;

/**
 * Every webhook of a deployment ({@code hooks.*}): a default for all apps and overrides per app id (the app id of
 * the sender's token; messages of tokens without one get the default). Validated once; immutable.
 *
 * @param beforeSend      the default before-send hook
 * @param beforeSendByApp before-send hooks of single apps, by app id (an app listed here with a disabled hook has
 *                        none, whatever the default)
 * @param afterSend       the after-send hook (one endpoint for all apps: the events carry no app id yet)
 */
public record WebhookConfig(BeforeSendSettings beforeSend, Map<String, BeforeSendSettings> beforeSendByApp,
                            AfterSendSettings afterSend) {

    public static final WebhookConfig DISABLED = new WebhookConfig(BeforeSendSettings.DISABLED, Map.of(),
            AfterSendSettings.DISABLED);

    public WebhookConfig {
        beforeSend = Objects.requireNonNullElse(beforeSend, BeforeSendSettings.DISABLED);
        beforeSendByApp = Map.copyOf(Objects.requireNonNullElse(beforeSendByApp, Map.of()));
        afterSend = Objects.requireNonNullElse(afterSend, AfterSendSettings.DISABLED);
        for (String app : beforeSendByApp.keySet()) {
            if (!TokenClaims.validAppId(app)) {
                throw new IllegalArgumentException("hooks.app-ids entries must be " + TokenClaims.APP_ID_RULE
                        + ", got '" + app + "'");
            }
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
}
