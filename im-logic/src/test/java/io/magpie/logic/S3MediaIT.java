package io.magpie.logic;

import static io.magpie.logic.ContractClient.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.logic.media.BlobStoreContract;
import io.magpie.logic.media.S3BlobStore;
import io.magpie.logic.media.S3MockServer;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.OpenApiContract;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 media store against an S3-compatible server (S3Mock, in this JVM): the store's contract, and uploads
 * through the account API landing in the bucket and coming back through signed URLs.
 */
@ExtendWith(InfrastructureExtension.class)
class S3MediaIT {

    private static final byte[] SECRET = "an-s3-media-it-secret-of-32-bytes-long!!".getBytes(StandardCharsets.UTF_8);
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");
    private static final String BUCKET = "magpie-media-it";
    private static final Clock CLOCK = Clock.systemUTC();

    private static S3MockServer s3;
    private static MediaConfig.S3 s3Config;
    private static Database database;
    private static AccountApi api;
    private static long nextUid = 9_300_000;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ContractClient client = new ContractClient(CONTRACT, () -> api.port());

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) throws Exception {
        s3 = S3MockServer.start(BUCKET, Files.createTempDirectory("s3mock-root"));
        s3Config = new MediaConfig.S3(s3.endpoint(), "us-east-1", BUCKET, "test-key", "test-secret", true, "media/");
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        MediaConfig media = MediaConfig.local(Files.createTempDirectory("magpie-s3-spool"))
                .withStore(MediaConfig.Store.S3, s3Config);
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).media(media).build();
        api = new AccountApi(config, database.dataSource(), AccountApiIT.ids(database), CLOCK, () -> true,
                () -> true).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (database != null) {
            database.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void theS3StoreKeepsTheBlobStoreContract() throws Exception {
        try (S3BlobStore store = new S3BlobStore(s3Config)) {
            BlobStoreContract.check(store, "contract/");
        }
    }

    @Test
    void anUploadLandsInTheBucketAndComesBackThroughASignedUrl() throws Exception {
        long alice = account();
        long bob = account();
        byte[] png = png(800, 600);

        HttpResponse<String> up = CONTRACT.send(http, upload(token(alice), ConversationIds.single(alice, bob),
                "photo.png", "image/png", png));

        assertEquals(201, up.statusCode(), up.body());
        String id = json(up).get("mediaId").asText();
        List<String> objects = objectKeys();
        assertTrue(objects.contains("media/o/" + id.substring(0, 2) + "/" + id), "the original is in the bucket: "
                + objects);
        assertTrue(objects.contains("media/t/" + id.substring(0, 2) + "/" + id), "the thumbnail too: " + objects);

        JsonNode signed = json(client.send("GET", "/v1/media/" + id + "/url", token(bob), null));
        HttpResponse<byte[]> original = http.send(HttpRequest.newBuilder(client.uri(signed.get("url").asText()))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, original.statusCode());
        assertArrayEquals(png, original.body());
        HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(client.uri(signed.get("url").asText()))
                .header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(png, 10, 20), part.body(), "a range read from S3");
        HttpResponse<byte[]> thumb = http.send(HttpRequest.newBuilder(client.uri(signed.get("thumbnailUrl").asText()))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        BufferedImage t = ImageIO.read(new ByteArrayInputStream(thumb.body()));
        assertEquals(320, t.getWidth());
        assertEquals(240, t.getHeight());
    }

    private static List<String> objectKeys() {
        try (S3Client raw = S3Client.builder().httpClientBuilder(ApacheHttpClient.builder())
                .endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s"))).build()) {
            return raw.listObjectsV2(b -> b.bucket(BUCKET).prefix("media/")).contents().stream().map(S3Object::key)
                    .toList();
        }
    }

    private HttpRequest upload(String token, String conversation, String fileName, String type, byte[] bytes) {
        String boundary = "----s3it" + Long.toHexString(new Random().nextLong());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"conversationId\"\r\n\r\n"
                + conversation + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + fileName + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(client.uri("/v1/media"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.createGraphics().fillRect(10, 10, width / 2, height / 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(new Account(uid, "s3media" + uid, "pbkdf2-sha256$1$AA$AA",
                "", 1));
        return uid;
    }

    private static String token(long uid) {
        return new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(uid, "d1", Platform.WEB, CLOCK.millis() + 60_000));
    }
}
