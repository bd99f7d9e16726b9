package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.hooks.FailureMode;
import io.magpie.hooks.HookEvent;
import io.magpie.hooks.WebhookConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code hooks.*}: defaults, one app's overrides inheriting the rest, the environment, and refusals naming the key. */
class HookSettingsTest {

    private static final String YAML = """
            hooks:
              secret: "sixteen-chars-or-more"
              before-send:
                url: "https://hooks.example/check"
                timeout: 250ms
              app-ids: [shop, quiet]
              apps:
                shop:
                  secret: "the-shops-own-secret"
                  before-send:
                    on-failure: closed
                quiet:
                  before-send:
                    url: ""
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
        ConfigException dotted = assertThrows(ConfigException.class, () -> new Settings(ConfigTree.of(
                YAML.replace("[shop, quiet]", "[shop, com.example]"), Map.of())).hooks());
        assertTrue(dotted.getMessage().contains("'com.example' contains '.'"), dotted.getMessage());
        ConfigException unlisted = assertThrows(ConfigException.class, () -> {
            Settings s = new Settings(ConfigTree.of(YAML.replace("[shop, quiet]", "[shop]"), Map.of()));
            s.rejectUnknownKeys();
        });
        assertTrue(unlisted.getMessage().contains("hooks.apps.quiet.before-send.url"), unlisted.getMessage());
    }
}
