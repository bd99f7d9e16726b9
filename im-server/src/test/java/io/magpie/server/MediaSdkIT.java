package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MediaUrls;
import io.magpie.protocol.ErrorCode;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MediaInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.SdkUsers.SdkUser;
import io.magpie.testkit.InfrastructureExtension;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's media calls against every real role: {@code sendImage}/{@code sendFile} upload and send in one call,
 * the peer receives the message with its {@code MediaInfo} and downloads the same bytes through a signed URL.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MediaSdkIT {

    /** Per user: carol's third file is one too many. */
    private static final int UPLOADS_PER_MINUTE = 2;

    private MagpieNode node;
    private SdkUsers users;

    @TempDir
    Path files;

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        node = TestNodes.allRoles(infra, isolation, "media-sdk", Map.of("media.uploads-per-minute",
                Integer.toString(UPLOADS_PER_MINUTE)));
        users = new SdkUsers(node.accountApiPort(), node.lsbPort(), -1);
    }

    @AfterAll
    void stopNode() {
        if (users != null) {
            users.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void sendImageUploadsAndSendsAndThePeerDownloadsTheSameBytes() throws Exception {
        SdkUser alice = users.register("alice_media", "alice-phone");
        SdkUser bob = users.register("bob_media", "bob-phone");
        Path image = files.resolve("sunset.png");
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        img.createGraphics().fillOval(100, 100, 200, 200);
        ImageIO.write(img, "png", image.toFile());

        SendAck ack = alice.client().sendImage(ConversationType.SINGLE, bob.uid(), image).get(30, SECONDS);

        assertEquals(1, ack.getSeq());
        await().atMost(20, SECONDS).until(() -> !bob.received().isEmpty());
        Message m = bob.received().get(0);
        assertEquals(MessageType.IMAGE, m.getContent().getType());
        MediaInfo media = m.getContent().getMedia();
        assertEquals("image/png", media.getMimeType());
        assertEquals(Files.size(image), media.getSizeBytes());
        assertEquals(640, media.getWidth());
        assertEquals(480, media.getHeight());
        assertEquals("sunset.png", media.getFileName());
        assertEquals(media.getUrl() + "/thumbnail", media.getThumbnailUrl());

        MediaUrls urls = bob.client().mediaUrls(media.getUrl()).get(20, SECONDS);
        AccountClient api = users.accounts("bob-phone");
        assertArrayEquals(Files.readAllBytes(image), api.downloadAsync(urls.original()).get(20, SECONDS));
        assertNotNull(urls.thumbnail());
        assertEquals(320, ImageIO.read(new java.io.ByteArrayInputStream(api.downloadAsync(urls.thumbnail())
                .get(20, SECONDS))).getWidth());

        alice.client().edit(m.getConversationId(), m.getSeq(), m.getContent().toBuilder().setText("sunset, edited")
                .build()).get(20, SECONDS);
        ExecutionException otherMedia = assertThrows(ExecutionException.class, () -> alice.client().edit(
                m.getConversationId(), m.getSeq(), m.getContent().toBuilder().setMedia(media.toBuilder()
                        .setUrl("/v1/media/AAAAAAAAAAAAAAAAAAAAAA")).build()).get(20, SECONDS));
        MagpieErrorException refused = assertInstanceOf(MagpieErrorException.class, otherMedia.getCause());
        assertEquals(ErrorCode.BAD_REQUEST, refused.code(), "an upload belongs to its message: the caption may change");
        assertTrue(refused.getMessage().contains("content.media.url must stay"), refused.getMessage());

        alice.client().recall(m.getConversationId(), m.getSeq()).get(20, SECONDS);
        ExecutionException gone = assertThrows(ExecutionException.class,
                () -> bob.client().mediaUrls(media.getUrl()).get(20, SECONDS));
        assertEquals(404, assertInstanceOf(MagpieApiException.class, gone.getCause()).status(),
                "a recalled message's upload goes with it");
        ExecutionException signedBefore = assertThrows(ExecutionException.class,
                () -> api.downloadAsync(urls.original()).get(20, SECONDS));
        assertEquals(404, assertInstanceOf(MagpieApiException.class, signedBefore.getCause()).status(),
                "even through a URL signed before the recall");
    }

    @Test
    void sendFileSendsAFileMessageAndAStrangerGetsNoUrl() throws Exception {
        SdkUser carol = users.register("carol_media", "carol-phone");
        SdkUser dave = users.register("dave_media", "dave-phone");
        SdkUser eve = users.register("eve_media", "eve-phone");
        Path doc = files.resolve("minutes.pdf");
        byte[] bytes = new byte[30_000];
        new Random(3).nextBytes(bytes);
        Files.write(doc, bytes);

        carol.client().sendFile(ConversationType.SINGLE, dave.uid(), doc).get(30, SECONDS);

        await().atMost(20, SECONDS).until(() -> !dave.received().isEmpty());
        Message m = dave.received().get(0);
        assertEquals(MessageType.FILE, m.getContent().getType());
        assertEquals("application/pdf", m.getContent().getMedia().getMimeType());
        assertEquals("", m.getContent().getMedia().getThumbnailUrl());
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> eve.client().mediaUrls(m.getContent().getMedia().getUrl()).get(20, SECONDS));
        assertEquals(403, assertInstanceOf(MagpieApiException.class, refused.getCause()).status());

        carol.client().sendFile(ConversationType.SINGLE, dave.uid(), doc).get(30, SECONDS);
        ExecutionException third = assertThrows(ExecutionException.class,
                () -> carol.client().sendFile(ConversationType.SINGLE, dave.uid(), doc).get(30, SECONDS));
        MagpieApiException limited = assertInstanceOf(MagpieApiException.class, third.getCause());
        assertEquals(429, limited.status(), "media.uploads-per-minute=" + UPLOADS_PER_MINUTE + " across the cluster");
        assertEquals("RATE_LIMITED", limited.code());
        assertTrue(limited.getMessage().contains("(media.uploads-per-minute=2); nothing was stored"),
                limited.getMessage());
    }
}
