package io.magpie.router.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PushNotifierRegistryTest {

    private static final PushNotifier APNS = n -> CompletableFuture.completedFuture(null);

    @Test
    void anAdapterIsFoundByItsProviderNameInAnyCase() {
        PushNotifierRegistry r = PushNotifierRegistry.builder().register("APNs", APNS).build();

        assertSame(APNS, r.find("apns").orElseThrow());
        assertSame(APNS, r.find("APNS").orElseThrow());
        assertEquals(Optional.empty(), r.find("fcm"));
        assertEquals(Optional.empty(), r.find(null));
        assertEquals(Set.of("apns"), r.providers());
    }

    @Test
    void theWebhookIsBuiltInOnlyWhenAUrlIsConfigured() {
        NotifierConfig without = NotifierConfig.builder("k:9092").build();
        NotifierConfig with = NotifierConfig.builder("k:9092").webhookUrl("http://relay.example/push").build();

        assertTrue(PushNotifierRegistry.builtIn(without).providers().isEmpty());
        assertInstanceOf(WebhookNotifier.class, PushNotifierRegistry.builtIn(with).find("webhook").orElseThrow());
        PushNotifierRegistry both = PushNotifierRegistry.builder().registerBuiltIns(with).register("apns", APNS).build();
        assertEquals(Set.of("webhook", "apns"), both.providers());
    }

    @Test
    void aProviderHasExactlyOneNotifierAndASaneName() {
        PushNotifierRegistry.Builder b = PushNotifierRegistry.builder().register("fcm", APNS);

        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> b.register("FCM", APNS));
        assertTrue(twice.getMessage().contains("'fcm' is registered twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.register("", APNS));
        assertThrows(IllegalArgumentException.class, () -> b.register("has space", APNS));
        assertThrows(IllegalArgumentException.class, () -> b.register("x".repeat(33), APNS));
        assertThrows(NullPointerException.class, () -> b.register("ok", null));
    }
}
