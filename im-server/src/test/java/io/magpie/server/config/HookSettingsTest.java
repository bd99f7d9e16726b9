package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.hooks.AfterSendEndpoint;
import io.magpie.hooks.AfterSendSettings;
import io.magpie.hooks.FailureMode;
import io.magpie.hooks.HookEvent;
import io.magpie.hooks.WebhookConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code hooks.*}: defaults, one app's overrides inheriting the rest (an after-send endpoint of its own only when it
 * sets after-send keys), the environment, and refusals naming the key.
 */
class HookSettingsTest {

    private static final String YAML = """
            hooks:
              secret: "sixteen-chars-or-more"
              before-send:
                url: "https://hooks.example/check"
                timeout: 250ms
              app-ids: [shop, quiet, solo]
              apps:
                shop:
                  secret: "the-shops-own-secret"
                  before-send:
                    on-failure: closed
                  after-send:
                    url: "https://shop.example/events"
                    max-events: 10
                quiet:
                  before-send:
                    url: ""
                  after-send:
                    url: ""
                solo:
                  secret: "solo-has-its-own-secret"
              after-send:
                url: "https://hooks.example/events"
                events: [message, friend]
            """;

    @Test
    void anAppsSettingsOverrideTheDefaultsAndInheritTheRest() {
        WebhookConfig hooks = new Settings(ConfigTree.of(YAML, Map.of())).hooks();

        assertEquals(URI.create("https://hooks.example/check"), hooks.beforeSendFor("").url());
        assertEquals(FailureMode.OPEN, hooks.beforeSendFor("").onFailure(), "fail open by default");
        assertEquals(FailureMode.CLOSED, hooks.beforeSendFor("shop").onFailure());
        assertEquals(Duration.ofMillis(250), hooks.beforeSendFor("shop").timeout(), "inherited");
        assertEquals("the-shops-own-secret", hooks.beforeSendFor("shop").secret());
        assertFalse(hooks.beforeSendFor("quiet").enabled(), "url \"\" turns the app's hook off");
        assertEquals(hooks.beforeSend(), hooks.beforeSendFor("unlisted"));
        assertEquals(Set.of(HookEvent.MESSAGE, HookEvent.FRIEND), hooks.afterSend().events());
    }

    @Test
    void theEnvironmentOverridesTheFile() {
        WebhookConfig hooks = new Settings(ConfigTree.of(YAML, Map.of("MAGPIE_HOOKS_APPS_SHOP_BEFORE_SEND_TIMEOUT", "2s",
                "MAGPIE_HOOKS_AFTER_SEND_URL", ""))).hooks();

        assertEquals(Duration.ofSeconds(2), hooks.beforeSendFor("shop").timeout());
        assertFalse(hooks.afterSend().enabled());
        assertTrue(hooks.anyBeforeSend());

        WebhookConfig soloApart = new Settings(ConfigTree.of(YAML, Map.of("MAGPIE_HOOKS_APPS_SOLO_AFTER_SEND_MAX_EVENTS",
                "5"))).hooks();
        assertEquals(List.of("", "shop", "solo"), soloApart.afterSendEndpoints().stream()
                .map(AfterSendEndpoint::appId).toList(), "one after-send key of its own sets the app apart");
        assertEquals(5, soloApart.afterSendFor("solo").maxEvents());
        assertEquals("solo-has-its-own-secret", soloApart.afterSendFor("solo").secret());
        assertEquals(URI.create("https://hooks.example/events"), soloApart.afterSendFor("solo").url(), "inherited");
    }

    @Test
    void anAppWithAfterSendKeysOfItsOwnHasItsOwnEndpointAndTheDefaultTakesTheRest() {
        WebhookConfig hooks = new Settings(ConfigTree.of(YAML, Map.of())).hooks();

        AfterSendSettings shop = hooks.afterSendFor("shop");
        assertEquals(URI.create("https://shop.example/events"), shop.url());
        assertEquals(10, shop.maxEvents());
        assertEquals(Set.of(HookEvent.MESSAGE, HookEvent.FRIEND), shop.events(), "inherited from the default");
        assertEquals("the-shops-own-secret", shop.secret());
        assertFalse(hooks.afterSendFor("quiet").enabled(), "url \"\" turns the app's after-send hook off");
        assertEquals(hooks.afterSend(), hooks.afterSendFor("solo"), "no after-send key of its own: the default's");
        assertEquals(hooks.afterSend(), hooks.afterSendFor("unlisted"));

        List<AfterSendEndpoint> endpoints = hooks.afterSendEndpoints();
        assertEquals(List.of("", "shop"), endpoints.stream().map(AfterSendEndpoint::appId).toList(),
                "the default and the shop's; quiet's is off");
        AfterSendEndpoint byDefault = endpoints.get(0);
        assertTrue(byDefault.takes("") && byDefault.takes("solo") && byDefault.takes("unlisted"));
        assertFalse(byDefault.takes("shop"), "the shop's events go to its own endpoint only");
        assertFalse(byDefault.takes("quiet"), "quiet's hook is off: its events go nowhere");
        assertTrue(endpoints.get(1).takes("shop"));
        assertFalse(endpoints.get(1).takes("") || endpoints.get(1).takes("solo"));
    }

    @Test
    void refusalsNameTheSetting() {
        ConfigException shortSecret = assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(
                YAML.replace("sixteen-chars-or-more", "short"), Map.of())).hooks());
        assertTrue(shortSecret.getMessage().contains("before-send.url is set, so its secret"), shortSecret.getMessage());
        ConfigException badMode = assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(
                YAML.replace("on-failure: closed", "on-failure: maybe"), Map.of())).hooks());
        assertTrue(badMode.getMessage().contains("hooks.apps.shop.before-send.on-failure must be open or closed"),
                badMode.getMessage());
        ConfigException tooMany = assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(
                YAML.replace("max-events: 10", "max-events: 5000"), Map.of())).hooks());
        assertTrue(tooMany.getMessage().contains("invalid hooks.apps.shop.after-send settings")
                && tooMany.getMessage().contains("max-events must be between 1 and 1000, got 5000"), tooMany.getMessage());
        ConfigException dotted = assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(
                YAML.replace("[shop, quiet, solo]", "[shop, quiet, com.example]"), Map.of())).hooks());
        assertTrue(dotted.getMessage().contains("'com.example' contains '.'"), dotted.getMessage());
        ConfigException unlisted = assertThrows(ConfigException.class, () -> {
            Settings s = new Settings(ConfigTree.of(YAML.replace("[shop, quiet, solo]", "[shop, solo]"), Map.of()));
            s.rejectUnknownKeys();
        });
        assertTrue(unlisted.getMessage().contains("hooks.apps.quiet.before-send.url"), unlisted.getMessage());
    }
}
