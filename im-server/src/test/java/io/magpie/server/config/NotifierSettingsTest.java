package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.router.notify.ApnsConfig;
import io.magpie.router.notify.FcmConfig;
import io.magpie.router.notify.NotifierConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code notifier.apns.*} and {@code notifier.fcm.*}: off until their credentials are set; env overrides. */
class NotifierSettingsTest {

    private static final String KAFKA = "kafka:\n  bootstrap: k:9092\n";

    @Test
    void apnsAndFcmAreOffUntilTheirCredentialsAreSet() {
        NotifierConfig config = new Settings(ConfigTree.of(KAFKA, Map.of())).notifier();
        assertNull(config.apns());
        assertNull(config.fcm());
        assertTrue(config.badges());
    }

    @Test
    void everyApnsKeyIsReadWithItsDefaults() {
        NotifierConfig config = new Settings(ConfigTree.of(KAFKA + """
                notifier:
                  apns:
                    signing-key-file: /etc/magpie/AuthKey_ABC123DEFG.p8
                    team-id: TEAM123456
                    key-id: ABC123DEFG
                    topic: com.example.chat
                """, Map.of())).notifier();
        ApnsConfig apns = config.apns();
        assertEquals(Path.of("/etc/magpie/AuthKey_ABC123DEFG.p8"), apns.signingKeyFile());
        assertEquals("TEAM123456", apns.teamId());
        assertEquals("ABC123DEFG", apns.keyId());
        assertEquals("com.example.chat", apns.topic());
        assertEquals(ApnsConfig.Environment.PRODUCTION, apns.environment());
        assertEquals("api.push.apple.com", apns.effectiveHost());
        assertEquals(443, apns.port());
        assertNull(apns.trustedCertificateFile());
        assertEquals(Duration.ofDays(1), apns.expiration());
        assertNull(apns.alertTitle());
        assertEquals(1, apns.concurrentConnections());
    }

    @Test
    void theEnvironmentEnablesFcmAndOverridesApnsKeys() {
        NotifierConfig config = new Settings(ConfigTree.of(KAFKA + """
                notifier:
                  apns:
                    signing-key-file: /k.p8
                    team-id: TEAM123456
                    key-id: ABC123DEFG
                    topic: com.example.chat
                """, Map.of(
                "MAGPIE_NOTIFIER_APNS_ENVIRONMENT", "development",
                "MAGPIE_NOTIFIER_APNS_EXPIRATION", "0s",
                "MAGPIE_NOTIFIER_FCM_SERVICE_ACCOUNT_FILE", "/etc/magpie/fcm.json",
                "MAGPIE_NOTIFIER_FCM_PROJECT_ID", "chat-prod",
                "MAGPIE_NOTIFIER_FCM_TTL", "2h",
                "MAGPIE_NOTIFIER_FCM_TITLE", "Chat",
                "MAGPIE_NOTIFIER_BADGE", "false"))).notifier();
        assertEquals("api.sandbox.push.apple.com", config.apns().effectiveHost());
        assertEquals(Duration.ZERO, config.apns().expiration());
        FcmConfig fcm = config.fcm();
        assertEquals(Path.of("/etc/magpie/fcm.json"), fcm.serviceAccountFile());
        assertEquals("chat-prod", fcm.projectId());
        assertEquals(URI.create("https://fcm.googleapis.com"), fcm.baseUrl());
        assertNull(fcm.tokenUrl(), "the key file's token_uri");
        assertEquals(Duration.ofHours(2), fcm.ttl());
        assertEquals("Chat", fcm.title());
        assertFalse(config.badges());
    }

    @Test
    void anApnsKeyWithoutTeamIdNamesTheMissingKey() {
        Settings settings = new Settings(ConfigTree.of(KAFKA + "notifier:\n  apns:\n    signing-key-file: /k.p8\n",
                Map.of()));
        ConfigException e = assertThrows(ConfigException.class, settings::notifier);
        assertTrue(e.getMessage().contains("notifier.apns.team-id"), e.getMessage());
    }

    @Test
    void aBadEnvironmentOrTtlNamesTheKeyAndItsBounds() {
        Settings apns = new Settings(ConfigTree.of(KAFKA, Map.of("MAGPIE_NOTIFIER_APNS_SIGNING_KEY_FILE", "/k.p8",
                "MAGPIE_NOTIFIER_APNS_TEAM_ID", "TEAM123456", "MAGPIE_NOTIFIER_APNS_KEY_ID", "ABC123DEFG",
                "MAGPIE_NOTIFIER_APNS_TOPIC", "t", "MAGPIE_NOTIFIER_APNS_ENVIRONMENT", "sandbox")));
        ConfigException env = assertThrows(ConfigException.class, apns::notifier);
        assertTrue(env.getMessage().contains("production or development"), env.getMessage());

        Settings fcm = new Settings(ConfigTree.of(KAFKA, Map.of("MAGPIE_NOTIFIER_FCM_SERVICE_ACCOUNT_FILE", "/f.json",
                "MAGPIE_NOTIFIER_FCM_TTL", "40d")));
        ConfigException ttl = assertThrows(ConfigException.class, fcm::notifier);
        assertTrue(ttl.getMessage().contains("notifier.fcm.ttl must be between 0s and 28 days"), ttl.getMessage());
    }
}
