package io.magpie.router.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotifierConfigTest {

    @Test
    void defaults() {
        NotifierConfig c = NotifierConfig.builder("k:9092").build();

        assertEquals("magpie.", c.topicPrefix());
        assertEquals("magpie.notifier", c.consumerGroup());
        assertEquals(100, c.maxPollRecords());
        assertEquals(Duration.ofSeconds(5), c.sendTimeout());
        assertEquals(5, c.maxAttempts());
        assertEquals(Duration.ofMillis(500), c.retryBackoffMin());
        assertEquals(Duration.ofSeconds(30), c.retryBackoffMax());
        assertNull(c.webhookUrl());
        assertNull(c.webhookAuthorization());
        // 5 x (5 s + 30 s) + 1 min
        assertEquals(Duration.ofSeconds(235), c.maxBatchDuration());
    }

    @Test
    void theGroupFollowsThePrefix() {
        assertEquals("t1.notifier", NotifierConfig.builder("k:9092").topicPrefix("t1.").build().consumerGroup());
    }

    @Test
    void valuesOutOfRangeNameTheSetting() {
        assertMessage("kafka.bootstrap", () -> NotifierConfig.builder(" ").build());
        assertMessage("notifier.max-attempts", () -> NotifierConfig.builder("k").maxAttempts(0).build());
        assertMessage("notifier.max-poll-records", () -> NotifierConfig.builder("k").maxPollRecords(0).build());
        assertMessage("notifier.send-timeout",
                () -> NotifierConfig.builder("k").sendTimeout(Duration.ofMillis(10)).build());
        assertMessage("notifier.retry-backoff-max", () -> NotifierConfig.builder("k")
                .retryBackoffMin(Duration.ofSeconds(2)).retryBackoffMax(Duration.ofSeconds(1)).build());
        assertMessage("notifier.webhook-url", () -> NotifierConfig.builder("k").webhookUrl("ftp://x/y").build());
    }

    @Test
    void apnsAndFcmSettingsNameTheKeyThatIsWrong() {
        ApnsConfig.Builder apns = ApnsConfig.builder().signingKeyFile(Path.of("/k.p8")).teamId("TEAM123456")
                .keyId("ABC123DEFG").topic("com.example.chat");
        assertEquals("api.push.apple.com", apns.build().effectiveHost());
        assertEquals("localhost", apns.host("localhost").build().effectiveHost(), "an explicit host wins");
        assertMessage("notifier.apns.team-id", () -> apns.teamId("team").build());
        apns.teamId("TEAM123456");
        assertMessage("notifier.apns.key-id", () -> apns.keyId(null).build());
        apns.keyId("ABC123DEFG");
        assertMessage("notifier.apns.topic", () -> apns.topic(" ").build());
        apns.topic("com.example.chat");
        assertMessage("notifier.apns.port", () -> apns.port(0).build());
        apns.port(443);
        assertMessage("notifier.apns.expiration", () -> apns.expiration(Duration.ofDays(31)).build());
        apns.expiration(Duration.ZERO);
        assertMessage("notifier.apns.concurrent-connections", () -> apns.concurrentConnections(17).build());
        assertMessage("notifier.apns.signing-key-file", () -> ApnsConfig.builder().build());

        assertMessage("notifier.fcm.service-account-file", () -> FcmConfig.builder().build());
        assertMessage("notifier.fcm.base-url", () -> FcmConfig.builder().serviceAccountFile(Path.of("/f.json"))
                .baseUrl("fcm.googleapis.com").build());
        assertMessage("notifier.fcm.token-url", () -> FcmConfig.builder().serviceAccountFile(Path.of("/f.json"))
                .tokenUrl("file:///token").build());
        assertMessage("notifier.fcm.ttl", () -> FcmConfig.builder().serviceAccountFile(Path.of("/f.json"))
                .ttl(Duration.ofSeconds(-1)).build());
    }

    @Test
    void unreadableCredentialsFailAtStartWithTheKeyAndTheFile() {
        ApnsConfig apns = ApnsConfig.builder().signingKeyFile(Path.of("/nonexistent/AuthKey.p8")).teamId("TEAM123456")
                .keyId("ABC123DEFG").topic("com.example.chat").build();
        assertMessage("notifier.apns.signing-key-file /nonexistent/AuthKey.p8",
                () -> PushNotifierRegistry.builtIn(NotifierConfig.builder("k").apns(apns).build()));
        FcmConfig fcm = FcmConfig.builder().serviceAccountFile(Path.of("/nonexistent/fcm.json")).build();
        assertMessage("notifier.fcm.service-account-file /nonexistent/fcm.json",
                () -> PushNotifierRegistry.builtIn(NotifierConfig.builder("k").fcm(fcm).build()));
    }

    private static void assertMessage(String setting, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(setting), e.getMessage());
    }
}
