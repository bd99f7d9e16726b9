package io.magpie.hooks;

import java.util.Objects;
import java.util.Set;

/**
 * One after-send endpoint and the events it takes, by the app id of the session that caused them (the push task's
 * {@code app_id}): an app's own endpoint ({@code hooks.apps.<app>.after-send.*}) takes its app's events only; the
 * default one ({@code hooks.after-send.*}) takes those of sessions without an app id and of apps without after-send
 * settings of their own. Each endpoint is delivered to by its own consumer loop ({@link AfterSendService}), so one
 * that is down holds back no other endpoint's events. Immutable.
 *
 * @param appId    the app whose events it takes; "" for the default endpoint
 * @param settings where and how the events are delivered; enabled
 * @param ownApps  the apps with after-send settings of their own (the default endpoint does not take their events);
 *                 empty for an app's endpoint
 */
public record AfterSendEndpoint(String appId, AfterSendSettings settings, Set<String> ownApps) {

    public AfterSendEndpoint {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(settings, "settings");
        if (!settings.enabled()) {
            throw new IllegalArgumentException("the after-send endpoint of " + (appId.isEmpty() ? "the default"
                    : "app '" + appId + "'") + " has no url: there is nothing to deliver to");
        }
        ownApps = Set.copyOf(appId.isEmpty() ? ownApps : Set.of());
    }

    /** The default endpoint: events of sessions without an app id, or of an app not in {@code ownApps}. */
    public static AfterSendEndpoint ofDefault(AfterSendSettings settings, Set<String> ownApps) {
        return new AfterSendEndpoint("", settings, ownApps);
    }

    /** {@code appId}'s own endpoint: the events of that app's sessions only. */
    public static AfterSendEndpoint ofApp(String appId, AfterSendSettings settings) {
        if (appId == null || appId.isEmpty()) {
            throw new IllegalArgumentException("an app's after-send endpoint needs the app id, got none");
        }
        return new AfterSendEndpoint(appId, settings, Set.of());
    }

    public boolean isDefault() {
        return appId.isEmpty();
    }

    /** Whether the events of a push task whose {@code app_id} is {@code taskAppId} ("" for none) go here. */
    public boolean takes(String taskAppId) {
        String app = taskAppId == null ? "" : taskAppId;
        return isDefault() ? app.isEmpty() || !ownApps.contains(app) : appId.equals(app);
    }

    /** For log lines: {@code default} or {@code app <id>}. */
    public String describe() {
        return isDefault() ? "default" : "app " + appId;
    }
}
