package io.magpie.router.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.PushNotificationHandler;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.bus.Topics;
import io.magpie.das.Database;
import io.magpie.das.DeviceToken;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.UnreadCounts;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.testkit.InfrastructureExtension;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code apns} notifier against Pushy's {@link MockApnsServer} on loopback: HTTP/2 over TLS with a
 * self-signed certificate made here, token authentication checked by the server's validating handler
 * against the public half of the {@code .p8} key made here, device tokens and topics it knows, one token
 * it answers {@code 410 Unregistered}. The worker runs on real Kafka and MariaDB, so a dead token is seen
 * leaving the real {@code device_token} table. Apple's servers were not reachable from here.
 */
@ExtendWith(InfrastructureExtension.class)
class ApnsNotifierIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TEAM = "TEAM123456";
    private static final String KEY_ID = "KEY1234567";
    private static final String TOPIC = "io.magpie.chat";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String LIVE = hexToken();
    private static final String LIVE_TOO = hexToken();
    private static final String UNREGISTERED = hexToken();
    private static final String BUSY = hexToken();
    private static final String QUIET = hexToken();
    private static final String OTHER_APP = hexToken();

    @TempDir
    static Path dir;

    private static SelfSignedCertificate certificate;
    private static MockApnsServer server;
    private static Database database;
    private static DeviceTokenRepository tokens;
    private static ApnsNotifier direct;
    private static Topics topics;
    private static NotifierFixture notifier;
    private static KafkaProducer<String, byte[]> producer;

    /** What the server accepted, in order. */
    private static final List<ApnsPushNotification> accepted = new CopyOnWriteArrayList<>();
    /** How many more times the server answers 429 TooManyRequests for a token. */
    private static final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = ec.generateKeyPair();
        Path p8 = dir.resolve("AuthKey_" + KEY_ID + ".p8");
        Files.writeString(p8, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) key.getPublic());

        certificate = new SelfSignedCertificate("localhost");
        PushNotificationHandlerFactory validating = new ValidatingPushNotificationHandlerFactory(
                Map.of(TOPIC, Set.of(LIVE, LIVE_TOO, UNREGISTERED, BUSY, QUIET)),
                Map.of(UNREGISTERED, Instant.parse("2026-01-02T03:04:05Z")),
                Map.of(KEY_ID, verification), Map.of(verification, Set.of(TOPIC)));
        server = new MockApnsServerBuilder()
                .setServerCredentials(certificate.certificate(), certificate.privateKey(), null)
                .setHandlerFactory(session -> throttling(validating.buildHandler(session)))
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification n) {
                        accepted.add(n);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason reason,
                            Instant deviceTokenExpiration) {
                    }
                })
                .build();
        int port = (Integer) server.start(0).get(30, TimeUnit.SECONDS);

        ApnsConfig apns = ApnsConfig.builder()
                .signingKeyFile(p8).teamId(TEAM).keyId(KEY_ID).topic(TOPIC)
                .host("localhost").port(port).trustedCertificateFile(certificate.certificate().toPath())
                .alertTitle("Magpie")
                .build();
        notifier = new NotifierFixture(infra, iso, b -> b.apns(apns));
        topics = notifier.topics;
        database = notifier.database;
        tokens = notifier.tokens;
        producer = notifier.producer;
        direct = ApnsNotifier.create(apns, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {notifier, direct}) {
            if (c != null) {
                c.close();
            }
        }
        if (server != null) {
            server.shutdown().get(30, TimeUnit.SECONDS);
        }
        if (certificate != null) {
            certificate.delete();
        }
    }

    /** The validating handler, after answering 429 to a token while its throttle count lasts. */
    private static PushNotificationHandler throttling(PushNotificationHandler validating) {
        return (headers, payload) -> {
            String path = headers.path().toString();
            AtomicInteger left = throttled.get(path.substring(path.lastIndexOf('/') + 1));
            if (left != null && left.getAndDecrement() > 0) {
                throw new RejectedNotificationException(RejectionReason.TOO_MANY_REQUESTS);
            }
            validating.handlePushNotification(headers, payload);
        };
    }

    @Test
    void aTaskReachesEveryApnsDeviceOfTheUserAndAnUnregisteredTokenLeavesTheStore() throws Exception {
        tokens.upsert(new DeviceToken(601, "phone", "IOS", "apns", LIVE, 1));
        tokens.upsert(new DeviceToken(601, "ipad", "IOS", "apns", LIVE_TOO, 1));
        tokens.upsert(new DeviceToken(601, "old-phone", "IOS", "apns", UNREGISTERED, 1));
        execute("INSERT INTO conversation (owner_uid, conversation_id, conversation_type, peer_id, last_seq, read_seq,"
                + " updated_at) VALUES (601, 's_600_601', 1, 600, 4, 1, 0)");
        long expectedBadge = new UnreadCounts(database.dataSource()).total(601);

        produce(OfflineTask.newBuilder().setUid(601).setConversationId("s_600_601").setMsgId(77_004).setSeq(4)
                .setSenderUid(600).setPreview("hello from 600").setCreatedAt(1).build());

        await().atMost(WAIT).until(() -> tokens.findByUid(601).size() == 2);
        assertEquals(List.of("ipad", "phone"), tokens.findByUid(601).stream().map(DeviceToken::deviceId).toList(),
                "the Unregistered token is removed, the others stay");
        ApnsPushNotification phone = await().atMost(WAIT).until(() -> acceptedFor(LIVE), o -> o != null);
        await().atMost(WAIT).until(() -> acceptedFor(LIVE_TOO) != null);

        assertEquals(TOPIC, phone.getTopic());
        assertEquals(DeliveryPriority.IMMEDIATE, phone.getPriority());
        assertEquals(PushType.ALERT, phone.getPushType());
        assertEquals("s_600_601", phone.getCollapseId());
        assertTrue(phone.getExpiration().isAfter(Instant.now().plus(Duration.ofHours(23))), "expiration now + 1 day");
        JsonNode payload = JSON.readTree(phone.getPayload());
        JsonNode aps = payload.get("aps");
        assertEquals("Magpie", aps.at("/alert/title").asText());
        assertEquals("hello from 600", aps.at("/alert/body").asText());
        assertEquals("s_600_601", aps.get("thread-id").asText());
        assertEquals(expectedBadge, aps.get("badge").asLong());
        assertTrue(expectedBadge > 0, "the conversation has unread messages");
        assertEquals(JSON.readTree("{\"conversationId\":\"s_600_601\",\"seq\":4,\"msgId\":\"77004\",\"senderUid\":600}"),
                payload.get("magpie"));
        assertTrue(accepted.stream().noneMatch(n -> n.getToken().equals(UNREGISTERED)));
    }

    @Test
    void aSilentNotificationIsABackgroundPushAtPriorityFiveWithoutAlert() throws Exception {
        direct.send(new PushNotification(602, "phone", "apns", QUIET, "g_9", 5, 3, 7, "not shown",
                PushNotification.Priority.SILENT, OptionalInt.empty())).get(30, TimeUnit.SECONDS);

        ApnsPushNotification n = acceptedFor(QUIET);
        assertEquals(DeliveryPriority.CONSERVE_POWER, n.getPriority());
        assertEquals(PushType.BACKGROUND, n.getPushType());
        JsonNode aps = JSON.readTree(n.getPayload()).get("aps");
        assertEquals(1, aps.get("content-available").asInt());
        assertFalse(aps.has("alert"));
        assertFalse(aps.has("badge"), "no badge when the notification has none");
    }

    @Test
    void tooManyRequestsIsRetryableAndAMalformedTokenIsDeadButAnotherAppsTokenIsNot() {
        throttled.put(BUSY, new AtomicInteger(1));
        NotificationException busy = failure(note(BUSY));
        assertTrue(busy.retryable(), busy.getMessage());
        assertFalse(busy.deadToken());
        assertTrue(busy.getMessage().contains("429"), busy.getMessage());

        NotificationException bad = failure(note("not-a-device-token"));
        assertTrue(bad.deadToken(), bad.getMessage());
        assertFalse(bad.retryable());
        assertTrue(bad.getMessage().contains("BadDeviceToken"), bad.getMessage());

        NotificationException otherApp = failure(note(OTHER_APP));
        assertFalse(otherApp.deadToken(), "DeviceTokenNotForTopic is a configuration error, not a dead token");
        assertFalse(otherApp.retryable());

        NotificationException gone = failure(note(UNREGISTERED));
        assertTrue(gone.deadToken());
        assertTrue(gone.getMessage().contains("410 Unregistered"), gone.getMessage());
    }

    private static PushNotification note(String token) {
        return new PushNotification(603, "phone", "apns", token, "s_1_603", 1, 1, 1, "hi");
    }

    private static NotificationException failure(PushNotification n) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> direct.send(n).get(30, TimeUnit.SECONDS));
        return assertInstanceOf(NotificationException.class, e.getCause());
    }

    private static ApnsPushNotification acceptedFor(String token) {
        return accepted.stream().filter(n -> n.getToken().equals(token)).findFirst().orElse(null);
    }

    private static String hexToken() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void produce(OfflineTask task) throws Exception {
        producer.send(new ProducerRecord<>(topics.offline(), Long.toString(task.getUid()), task.toByteArray())).get();
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }
}
