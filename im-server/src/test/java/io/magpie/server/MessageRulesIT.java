package io.magpie.server;

import static io.magpie.server.SdkUsers.refusal;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Location;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.SdkUsers.SdkUser;
import io.magpie.testkit.InfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules a SEND passes on real servers (docs/PROTOCOL.md §7.3, §9.3): each message type's content arrives as
 * sent and a malformed one is refused naming the field; the word filter masks listed words in what is stored,
 * pushed and acknowledged; a user's message budget holds across two gates.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageRulesIT {

    private static final int PER_MINUTE = 6;

    private MagpieNode cluster;
    private MagpieNode secondGate;
    private SdkUsers users;

    @BeforeAll
    void start(Infrastructure infra, TestIsolation isolation, @TempDir Path dir) throws Exception {
        Path words = dir.resolve("words.txt");
        Files.writeString(words, "# test list\nspam\n", StandardCharsets.UTF_8);
        cluster = TestNodes.allRoles(infra, isolation, "message-rules-it", Map.of(
                "gate.registry-refresh", "1s",
                "logic.rate-limits.messages-per-minute", Integer.toString(PER_MINUTE),
                "logic.word-filter.file", words.toString(),
                "logic.word-filter.action", "mask"));
        users = SdkUsers.of(cluster);
        secondGate = TestNodes.gateOnly(TestNodes.gateSettings(isolation, "message-rules-it",
                Map.of("gate.registry-refresh", "1s")), infra);
        await().atMost(20, SECONDS).until(() -> lsbKnowsTwoGates());
    }

    @AfterAll
    void stop() {
        if (users != null) {
            users.close();
        }
        if (secondGate != null) {
            secondGate.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eachMessageTypeArrivesAsSentAndMalformedContentIsRefusedNamingTheField() throws Exception {
        SdkUser ann = users.register("ann_kinds", "ann-phone");
        SdkUser ben = users.register("ben_kinds", "ben-phone");
        List<MessageContent> kinds = List.of(
                MessageContent.newBuilder().setType(MessageType.IMAGE).setText("our cat").setMedia(MediaInfo.newBuilder()
                        .setUrl("https://cdn.example/cat.jpg").setMimeType("image/jpeg").setSizeBytes(120_000)
                        .setWidth(1280).setHeight(960)).build(),
                MessageContent.newBuilder().setType(MessageType.FILE).setMedia(MediaInfo.newBuilder()
                        .setUrl("https://cdn.example/r.pdf").setFileName("report.pdf").setSizeBytes(52_000)
                        .setMimeType("application/pdf")).build(),
                MessageContent.newBuilder().setType(MessageType.LOCATION).setLocation(Location.newBuilder()
                        .setLatitude(48.8584).setLongitude(2.2945).setName("Eiffel Tower")).build(),
                MessageContent.newBuilder().setType(MessageType.CUSTOM).setCustomType("com.example.poll")
                        .setCustom(ByteString.copyFromUtf8("{\"q\":\"lunch?\"}")).setText("a poll").build());
        for (int i = 0; i < kinds.size(); i++) {
            SendAck ack = ann.client().send("kind-" + i, ConversationType.SINGLE, ben.uid(), kinds.get(i)).get(20, SECONDS);
            assertTrue(ack.getSeq() > 0);
            assertTrue(!ack.hasContent(), "nothing was rewritten, so the ack carries no content");
        }
        await().atMost(20, SECONDS).until(() -> ben.received().size() >= kinds.size());
        for (int i = 0; i < kinds.size(); i++) {
            assertEquals(kinds.get(i), ben.received().get(i).getContent(), "delivered as sent");
        }

        MessageContent noWidth = kinds.get(0).toBuilder().setMedia(kinds.get(0).getMedia().toBuilder().clearWidth())
                .build();
        MagpieErrorException refused = refusal(ann.client().send("bad-image", ConversationType.SINGLE, ben.uid(), noWidth));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().contains("content.media.width"), refused.getMessage());
        MagpieErrorException noType = refusal(ann.client().send("bad-custom", ConversationType.SINGLE, ben.uid(),
                kinds.get(3).toBuilder().clearCustomType().build()));
        assertTrue(noType.getMessage().contains("content.custom_type is required"), noType.getMessage());
    }

    @Test
    void listedWordsAreMaskedInWhatIsStoredPushedAndAcknowledged() throws Exception {
        SdkUser cat = users.register("cat_words", "cat-phone");
        SdkUser dan = users.register("dan_words", "dan-phone");
        MessageContent sent = MessageContent.newBuilder().setType(MessageType.TEXT).setText("no SPAM here").build();

        SendAck ack = cat.client().send("w-1", ConversationType.SINGLE, dan.uid(), sent).get(20, SECONDS);

        assertEquals("no **** here", ack.getContent().getText(), "the ack tells the sender what was stored");
        await().atMost(20, SECONDS).until(() -> !dan.received().isEmpty());
        assertEquals("no **** here", dan.received().get(0).getContent().getText());
        SendAck resent = cat.client().send("w-1", ConversationType.SINGLE, dan.uid(), sent).get(20, SECONDS);
        assertEquals(ack.getMsgId(), resent.getMsgId(), "a resend is answered from the stored message");
        assertEquals("no **** here", resent.getContent().getText());
    }

    @Test
    void oneUsersBudgetHoldsAcrossTwoGates() throws Exception {
        int onFirst = cluster.gate().sessionCount();
        SdkUser eve = users.register("eve_limits", "eve-phone");
        boolean phoneOnFirst = cluster.gate().sessionCount() > onFirst;
        MagpieClient desktop = null;
        // the LSB hands out the least-loaded gate as the registry last told it: retry until it is the other one
        for (int attempt = 0; attempt < 10 && desktop == null; attempt++) {
            int before = cluster.gate().sessionCount();
            MagpieClient c = users.connect("eve_limits", "eve-desktop-" + attempt, null).client();
            if ((cluster.gate().sessionCount() > before) != phoneOnFirst) {
                desktop = c;
            } else {
                c.close();
                Thread.sleep(1_000);
            }
        }
        assertTrue(desktop != null, "a device of the user on each gate");
        SdkUser fay = users.register("fay_limits", "fay-phone");

        List<CompletableFuture<SendAck>> sends = new ArrayList<>();
        for (int i = 0; i < PER_MINUTE; i++) {
            MessageContent c = MessageContent.newBuilder().setType(MessageType.TEXT).setText("m" + i).build();
            sends.add(eve.client().send("phone-" + i, ConversationType.SINGLE, fay.uid(), c));
            sends.add(desktop.send("desktop-" + i, ConversationType.SINGLE, fay.uid(), c));
        }
        int acked = 0;
        List<MagpieErrorException> limited = new ArrayList<>();
        for (CompletableFuture<SendAck> s : sends) {
            try {
                s.get(20, SECONDS);
                acked++;
            } catch (ExecutionException e) {
                limited.add(assertInstanceOf(MagpieErrorException.class, e.getCause()));
            }
        }
        assertEquals(PER_MINUTE, acked, "one budget for both devices, whichever gate carried them");
        assertEquals(PER_MINUTE, limited.size());
        for (MagpieErrorException e : limited) {
            assertEquals(ErrorCode.RATE_LIMITED, e.code());
            assertTrue(e.retryAfter().toMillis() > 0 && e.retryAfter().toMillis() <= 60_000, "" + e.retryAfter());
            assertTrue(e.getMessage().contains("counted across all your devices"), e.getMessage());
        }
        await().atMost(20, SECONDS).until(() -> fay.received().size() >= PER_MINUTE);
        Thread.sleep(500);
        assertEquals(PER_MINUTE, fay.received().size(), "only the admitted messages were delivered");
    }

    private boolean lsbKnowsTwoGates() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + cluster.lsbPort()
                        + "/v1/gates")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 && r.body().contains(secondGate.gate().gateId())
                && r.body().contains(cluster.gate().gateId());
    }
}
