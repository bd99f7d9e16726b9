package io.magpie.logic;

import static io.magpie.logic.ContractClient.assertError;
import static io.magpie.logic.ContractClient.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.Database;
import io.magpie.das.MediaObjects;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.http.RawHttp;
import io.magpie.logic.internal.MediaPurger;
import io.magpie.logic.media.LocalBlobStore;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.testkit.MutableClock;
import io.magpie.testkit.OpenApiContract;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Media uploads and signed downloads over real HTTP on a real MariaDB with the local blob store: the
 * round trip, who may upload and download, the limits, thumbnails and the decompression-bomb guard.
 */
@ExtendWith(InfrastructureExtension.class)
class MediaApiIT {

    private static final byte[] SECRET = "a-media-api-it-secret-of-32-bytes-long!".getBytes(StandardCharsets.UTF_8);
    private static final OpenApiContract CONTRACT = OpenApiContract.load("openapi/accounts.yaml");
    private static final long MAX_IMAGE = 400_000;
    private static final long MAX_FILE = 100_000;
    /** The largest kind's limit, so the route takes bodies of up to this plus 64 KiB of framing. */
    private static final long MAX_VIDEO = 1_000_000;
    private static final Duration URL_TTL = Duration.ofMinutes(5);

    private static final MutableClock CLOCK = new MutableClock(System.currentTimeMillis());
    private static Database database;
    private static AccountApi api;
    private static Path mediaDir;
    private static long nextUid = 9_100_000;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ContractClient client = new ContractClient(CONTRACT, () -> api.port());

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) throws IOException {
        database = Database.open(MysqlConfig.of(iso.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        mediaDir = Files.createTempDirectory("magpie-media-it");
        MediaConfig media = MediaConfig.local(mediaDir)
                .withLimits(MAX_IMAGE, MAX_FILE, MAX_VIDEO, MAX_FILE, MediaConfig.DEFAULT_MAX_IMAGE_PIXELS)
                .withUrls(URL_TTL, null, 320);
        LogicConfig config = LogicConfig.builder("unused:9092", SECRET)
                .httpHost("127.0.0.1").httpPort(0).pbkdf2Iterations(1_000).media(media).build();
        api = new AccountApi(config, database.dataSource(), AccountApiIT.ids(database), CLOCK, () -> true,
                () -> true).start();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aMemberUploadsAnImageAndThePeerDownloadsTheSameBytesAndAThumbnailThroughASignedUrl() throws Exception {
        long alice = account();
        long bob = account();
        String conversation = ConversationIds.single(alice, bob);
        byte[] png = png(1000, 500);

        HttpResponse<String> up = upload(alice, conversation, "cat.png", "image/png", png);

        assertEquals(201, up.statusCode(), up.body());
        JsonNode u = json(up);
        String id = u.get("mediaId").asText();
        assertEquals(conversation, u.get("conversationId").asText());
        assertEquals("image/png", u.get("mimeType").asText());
        assertEquals(png.length, u.get("sizeBytes").asLong());
        assertEquals(1000, u.get("width").asInt());
        assertEquals(500, u.get("height").asInt());
        assertEquals("cat.png", u.get("fileName").asText());
        assertEquals("/v1/media/" + id, u.get("url").asText());
        assertEquals("/v1/media/" + id + "/thumbnail", u.get("thumbnailUrl").asText());

        HttpResponse<String> urls = client.send("GET", "/v1/media/" + id + "/url", token(bob), null);
        assertEquals(200, urls.statusCode(), urls.body());
        JsonNode signed = json(urls);
        assertTrue(signed.get("url").asText().startsWith("/v1/media/" + id + "?exp="), urls.body());
        long expected = CLOCK.millis() + URL_TTL.toMillis();
        long expiresAt = signed.get("expiresAt").asLong();
        assertTrue(expiresAt <= expected && expiresAt > expected - 1000, "whole seconds: " + expiresAt);

        HttpResponse<byte[]> original = download(signed.get("url").asText(), null);
        assertEquals(200, original.statusCode());
        assertArrayEquals(png, original.body());
        assertEquals("image/png", original.headers().firstValue("Content-Type").orElse(""));
        assertEquals("nosniff", original.headers().firstValue("X-Content-Type-Options").orElse(""));

        HttpResponse<byte[]> thumb = download(signed.get("thumbnailUrl").asText(), null);
        assertEquals(200, thumb.statusCode());
        BufferedImage t = ImageIO.read(new ByteArrayInputStream(thumb.body()));
        assertEquals(320, t.getWidth(), "the longer edge is media.thumbnail-edge");
        assertEquals(160, t.getHeight(), "the aspect ratio is kept");
    }

    @Test
    void mediaMarkedDeletedByARecallIsGoneAtOnceEvenThroughSignedUrlsAndItsBytesArePurged() throws Exception {
        long alice = account();
        long bob = account();
        String conversation = ConversationIds.single(alice, bob);
        String id = json(upload(alice, conversation, "gone.png", "image/png", png(64, 64))).get("mediaId").asText();
        JsonNode signed = json(client.send("GET", "/v1/media/" + id + "/url", token(bob), null));
        assertEquals(200, download(signed.get("url").asText(), null).statusCode());
        long blobs = blobFiles();

        try (java.sql.Connection c = database.dataSource().getConnection()) {
            assertFalse(MediaObjects.markDeleted(c, id, conversation, bob, CLOCK.millis()), "only the uploader's");
            assertTrue(MediaObjects.markDeleted(c, id, conversation, alice, CLOCK.millis()));
        }

        assertError(client.send("GET", "/v1/media/" + id + "/url", token(bob), null), 404, "NOT_FOUND", "");
        assertEquals(404, download(signed.get("url").asText(), null).statusCode(), "a URL signed before");
        assertEquals(404, download(signed.get("thumbnailUrl").asText(), null).statusCode());
        assertEquals(1, new MediaPurger(new MediaObjects(database.dataSource()),
                new LocalBlobStore(mediaDir), CLOCK).purgeOnce());
        assertEquals(blobs - 2, blobFiles(), "the original and the thumbnail deleted");
        assertTrue(new MediaObjects(database.dataSource()).deleted(10).stream().noneMatch(d -> d.mediaId().equals(id)),
                "the row went with them");
    }

    private long blobFiles() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(mediaDir)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("up-")
                    && !f.getFileName().toString().startsWith("th-")).count();
        }
    }

    @Test
    void aSmallImageKeepsItsSizeInTheThumbnailAndAJpegGetsAJpegThumbnail() throws Exception {
        long alice = account();
        long bob = account();
        byte[] jpeg = image(120, 80, "jpg");

        JsonNode u = json(upload(alice, ConversationIds.single(alice, bob), "p.jpg", "image/jpg", jpeg));

        assertEquals("image/jpeg", u.get("mimeType").asText(), "image/jpg is stored as image/jpeg");
        JsonNode signed = json(client.send("GET", "/v1/media/" + u.get("mediaId").asText() + "/url", token(alice), null));
        HttpResponse<byte[]> thumb = download(signed.get("thumbnailUrl").asText(), null);
        assertEquals("image/jpeg", thumb.headers().firstValue("Content-Type").orElse(""));
        BufferedImage t = ImageIO.read(new ByteArrayInputStream(thumb.body()));
        assertEquals(120, t.getWidth(), "never enlarged");
        assertEquals(80, t.getHeight());
    }

    @Test
    void onlyMembersUploadOrGetSignedUrlsInOneToOneAndGroupConversations() throws Exception {
        long alice = account();
        long bob = account();
        long mallory = account();
        String single = ConversationIds.single(alice, bob);

        assertError(upload(mallory, single, "x.png", "image/png", png(10, 10)), 403, "FORBIDDEN", "not a member");
        String id = json(upload(alice, single, "x.png", "image/png", png(10, 10))).get("mediaId").asText();
        assertError(client.send("GET", "/v1/media/" + id + "/url", token(mallory), null), 403, "FORBIDDEN",
                "not a member of " + single);

        HttpResponse<String> created = client.send("POST", "/v1/groups", token(alice), "{\"name\":\"pics\",\"members\":["
                + bob + "]}");
        assertEquals(201, created.statusCode(), created.body());
        String group = ConversationIds.group(json(created).get("groupId").asLong());
        HttpResponse<String> groupUpload = upload(bob, group, "notes.pdf", "application/pdf", pdf(2_000));
        assertEquals(201, groupUpload.statusCode(), groupUpload.body());
        String groupMedia = json(groupUpload).get("mediaId").asText();
        assertEquals(200, client.send("GET", "/v1/media/" + groupMedia + "/url", token(alice), null).statusCode());
        assertError(upload(mallory, group, "x.pdf", "application/pdf", pdf(10)), 403, "FORBIDDEN", "not a member");
        assertError(client.send("GET", "/v1/media/" + groupMedia + "/url", token(mallory), null), 403, "FORBIDDEN",
                "not a member of " + group);

        assertError(client.send("GET", "/v1/media/AAAAAAAAAAAAAAAAAAAAAA/url", token(alice), null), 404, "NOT_FOUND",
                "no media");
        HttpResponse<String> anonymous = CONTRACT.send(http, multipart(null, single, "x.png", "image/png", png(4, 4)));
        assertError(anonymous, 401, "UNAUTHORIZED", "");
    }

    @Test
    void aFileIsServedAsAnAttachmentWithoutDimensionsOrThumbnailAndRangesAreHonoured() throws Exception {
        long alice = account();
        long bob = account();
        byte[] doc = pdf(5_000);

        JsonNode u = json(upload(alice, ConversationIds.single(alice, bob), "../../etc/Report 1.pdf",
                "application/pdf", doc));

        assertFalse(u.has("width"));
        assertFalse(u.has("thumbnailUrl"));
        assertEquals("Report 1.pdf", u.get("fileName").asText(), "only the last path segment is kept");
        JsonNode signed = json(client.send("GET", "/v1/media/" + u.get("mediaId").asText() + "/url", token(bob), null));
        assertFalse(signed.has("thumbnailUrl"));
        HttpResponse<byte[]> whole = download(signed.get("url").asText(), null);
        assertArrayEquals(doc, whole.body());
        assertEquals("attachment; filename*=UTF-8''Report%201.pdf",
                whole.headers().firstValue("Content-Disposition").orElse(""));

        HttpResponse<byte[]> part = download(signed.get("url").asText(), "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(doc, 100, 200), part.body());
        assertEquals("bytes 100-199/5000", part.headers().firstValue("Content-Range").orElse(""));
        HttpResponse<byte[]> tail = download(signed.get("url").asText(), "bytes=-10");
        assertArrayEquals(Arrays.copyOfRange(doc, 4990, 5000), tail.body());
        HttpResponse<byte[]> past = download(signed.get("url").asText(), "bytes=5000-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */5000", past.headers().firstValue("Content-Range").orElse(""));
    }

    @Test
    void aTamperedMissingOrExpiredSignatureIsRefused() throws Exception {
        long alice = account();
        long bob = account();
        String conversation = ConversationIds.single(alice, bob);
        String id = json(upload(alice, conversation, "a.png", "image/png", png(20, 20))).get("mediaId").asText();
        String other = json(upload(alice, conversation, "b.png", "image/png", png(20, 20))).get("mediaId").asText();
        String url = json(client.send("GET", "/v1/media/" + id + "/url", token(alice), null)).get("url").asText();
        String sig = url.substring(url.indexOf("&sig=") + 5);
        String exp = url.substring(url.indexOf("?exp=") + 5, url.indexOf("&sig="));

        assertDownloadRefused("/v1/media/" + id, "SIGNATURE_REQUIRED");
        char flipped = sig.charAt(3) == 'A' ? 'B' : 'A';
        assertDownloadRefused(url.substring(0, url.indexOf("&sig=") + 8) + flipped + sig.substring(4), "BAD_SIGNATURE");
        assertDownloadRefused("/v1/media/" + id + "?exp=" + (Long.parseLong(exp) + 3600) + "&sig=" + sig,
                "BAD_SIGNATURE");
        assertDownloadRefused("/v1/media/" + other + "?exp=" + exp + "&sig=" + sig, "BAD_SIGNATURE");
        assertDownloadRefused("/v1/media/" + id + "/thumbnail?exp=" + exp + "&sig=" + sig, "BAD_SIGNATURE");
        assertEquals(200, download(url, null).statusCode());

        CLOCK.advance(URL_TTL.plusSeconds(1));
        assertDownloadRefused(url, "URL_EXPIRED");
        String fresh = json(client.send("GET", "/v1/media/" + id + "/url", token(alice), null)).get("url").asText();
        assertNotEquals(url, fresh);
        assertEquals(200, download(fresh, null).statusCode(), "a new exchange gives a working URL");
    }

    @Test
    void sizeAndTypeLimitsAreRefusedWith413And415() throws Exception {
        long alice = account();
        long bob = account();
        String conversation = ConversationIds.single(alice, bob);

        assertError(upload(alice, conversation, "big.pdf", "application/pdf", pdf((int) MAX_FILE + 1)), 413,
                "MEDIA_TOO_LARGE", "at most " + MAX_FILE + " bytes (media.max-file-bytes)");
        assertEquals(201, upload(alice, conversation, "ok.pdf", "application/pdf", pdf((int) MAX_FILE)).statusCode());
        byte[] bigPng = noisyPng(370, 370);
        assertTrue(bigPng.length > MAX_IMAGE, "test image is " + bigPng.length + " bytes");
        assertError(upload(alice, conversation, "big.png", "image/png", bigPng), 413, "MEDIA_TOO_LARGE",
                "media.max-image-bytes");
        assertError(upload(alice, conversation, "page.html", "text/html", "<script>".getBytes(StandardCharsets.UTF_8)),
                415, "UNSUPPORTED_MEDIA_TYPE", "text/html may not be uploaded");
        assertError(upload(alice, conversation, "x.png", "image/png", image(30, 30, "jpg")), 415,
                "MEDIA_TYPE_MISMATCH", "declared image/png but its content is image/jpeg");
        assertError(upload(alice, conversation, "x.png", "image/png", "not an image".getBytes(StandardCharsets.UTF_8)),
                415, "MEDIA_TYPE_MISMATCH", "no image format we know");
        // over the whole route's limit: refused by its declared length before anything is read
        long routeLimit = MAX_VIDEO + 64 * 1024;
        String declared = RawHttp.request(api.port(), "POST /v1/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + token(alice) + "\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: "
                + (routeLimit + 1) + "\r\n\r\n" + "--b\r\n".repeat(100));
        assertEquals("HTTP/1.1 413 Payload Too Large", RawHttp.statusLine(declared));
        assertTrue(declared.contains("\"code\":\"PAYLOAD_TOO_LARGE\"") && declared.contains("limit of " + routeLimit),
                declared);
        // a chunked body that does not end: the multipart parser stops at the limit, the API keeps serving
        String answer = endlessChunkedUpload(token(alice), conversation);
        assertTrue(answer.startsWith("HTTP/1.1 413") && answer.contains("\"code\":\"MEDIA_TOO_LARGE\"")
                && answer.contains(MAX_VIDEO + " bytes of file"), answer);
        assertEquals(201, upload(alice, conversation, "ok.pdf", "application/pdf", pdf(10)).statusCode());
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeaderBeforeDecoding() throws Exception {
        long alice = account();
        long bob = account();
        byte[] bomb = pngHeaderClaiming(100_000, 100_000);

        assertError(upload(alice, ConversationIds.single(alice, bob), "bomb.png", "image/png", bomb), 413,
                "IMAGE_TOO_LARGE", "100000 x 100000 = 10000000000 pixels, over the limit of 50000000");
        try (var files = Files.walk(mediaDir)) {
            assertTrue(files.noneMatch(p -> p.toString().contains(".spool") && Files.isRegularFile(p)),
                    "nothing is left in the spool");
        }
    }

    @Test
    void anImageWhosePixelsDoNotDecodeIsStoredWithoutAThumbnail() throws Exception {
        long alice = account();
        long bob = account();
        byte[] whole = noisyPng(64, 64);
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2); // the header reads, the pixel data ends early

        HttpResponse<String> up = upload(alice, ConversationIds.single(alice, bob), "cut.png", "image/png", truncated);

        assertEquals(201, up.statusCode(), up.body());
        JsonNode u = json(up);
        assertEquals(64, u.get("width").asInt());
        assertFalse(u.has("thumbnailUrl"), up.body());
    }

    @Test
    void malformedUploadsAreBadRequests() throws Exception {
        long alice = account();
        HttpResponse<String> json = client.send("POST", "/v1/media", token(alice), "{\"conversationId\":\"s_1_2\"}");
        assertError(json, 400, "BAD_REQUEST", "multipart/form-data");
        assertError(upload(alice, "s_9_3", "a.png", "image/png", png(2, 2)), 400, "BAD_REQUEST",
                "is not s_<uid>_<uid>");
        HttpRequest noFile = HttpRequest.newBuilder(client.uri("/v1/media"))
                .header("Authorization", "Bearer " + token(alice))
                .header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.ofString("--XyZ\r\nContent-Disposition: form-data;"
                        + " name=\"conversationId\"\r\n\r\ns_1_2\r\n--XyZ--\r\n")).build();
        assertError(CONTRACT.send(http, noFile), 400, "BAD_REQUEST", "no part named 'file'");
    }

    /**
     * POSTs a multipart upload whose file part never ends, as 1 MiB chunks (up to 64 MiB, a guard), until the
     * server closes; returns what it answered.
     */
    private String endlessChunkedUpload(String token, String conversation) throws IOException {
        String boundary = "endless";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"conversationId\"\r\n\r\n"
                + conversation + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
                + " filename=\"v.mp4\"\r\nContent-Type: video/mp4\r\n\r\n";
        byte[] chunk = ("100000\r\n" + "a".repeat(1 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(("POST /v1/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(head.length()) + "\r\n"
                        + head + "\r\n").getBytes(StandardCharsets.US_ASCII));
                for (int sent = 0; sent < 64; sent++) {
                    out.write(chunk);
                }
            } catch (IOException closedByServer) {
                // expected: the server stopped taking the body
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(got);
            } catch (IOException reset) {
                // a reset after the answer: keep what arrived
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }

    private void assertDownloadRefused(String url, String code) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(client.uri(url)).GET().build();
        assertError(CONTRACT.send(http, request), 403, code, "");
    }

    private HttpResponse<String> upload(long uid, String conversation, String fileName, String type, byte[] bytes)
            throws Exception {
        return CONTRACT.send(http, multipart(token(uid), conversation, fileName, type, bytes));
    }

    private HttpResponse<byte[]> download(String url, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri(url)).GET();
        if (range != null) {
            b.header("Range", range);
        }
        HttpRequest request = b.build();
        return CONTRACT.checkBinary(request, http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** A multipart/form-data body as a browser's FormData would send it, and its Content-Type. */
    private record Form(String contentType, byte[] body) {

        static Form of(String conversation, String fileName, String type, byte[] bytes) {
            String boundary = "----magpie" + Long.toHexString(new Random().nextLong());
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"conversationId\"\r\n\r\n"
                    + conversation + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
                    + " filename=\"" + fileName + "\"\r\nContent-Type: " + type + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(bytes);
            body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return new Form("multipart/form-data; boundary=" + boundary, body.toByteArray());
        }
    }

    private HttpRequest multipart(String token, String conversation, String fileName, String type, byte[] bytes) {
        Form form = Form.of(conversation, fileName, type, bytes);
        return upload(token, form.contentType(), HttpRequest.BodyPublishers.ofByteArray(form.body()));
    }

    private HttpRequest upload(String token, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri("/v1/media")).header("Content-Type", contentType)
                .POST(body);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    static byte[] png(int width, int height) throws IOException {
        return image(width, height, "png");
    }

    static byte[] image(int width, int height, String format) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLUE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    /** Random pixels do not compress: a PNG of about 3 bytes per pixel. */
    private static byte[] noisyPng(int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static byte[] pdf(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        byte[] head = "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, b, 0, Math.min(head.length, size));
        return b;
    }

    /** A PNG of a few bytes whose header claims {@code width} x {@code height} pixels: a decompression bomb. */
    static byte[] pngHeaderClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static long account() {
        long uid = ++nextUid;
        new AccountRepository(database.dataSource()).create(new Account(uid, "media" + uid, "pbkdf2-sha256$1$AA$AA",
                "", 1));
        return uid;
    }

    private static String token(long uid) {
        return new TokenCodec(SECRET, CLOCK).issue(new TokenClaims(uid, "d1", Platform.WEB, CLOCK.millis() + 60_000));
    }
}
