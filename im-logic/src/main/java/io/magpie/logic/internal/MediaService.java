package io.magpie.logic.internal;

import io.magpie.das.GroupRepository;
import io.magpie.das.GroupRoster;
import io.magpie.das.MediaObjects;
import io.magpie.logic.MediaConfig;
import io.magpie.logic.media.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads of media for a conversation (docs/PROTOCOL.md §1.3): the uploader must be a member (one-to-one: one of
 * its two users; group: a current member); the declared type must be allowed ({@code media.allowed-types}) and
 * the size within its kind's limit; an image's real type is read from its bytes and must be the declared one,
 * its pixel count is checked from the header before it is decoded, and a thumbnail is made. The bytes go to the
 * {@link BlobStore}, the record to MySQL ({@link MediaObjects}); a record is written only after its blobs, so a
 * record never names a missing blob. Thread-safe; blocking (JDBC, files, S3): the HTTP server's threads.
 */
public final class MediaService {

    private static final Logger log = LoggerFactory.getLogger(MediaService.class);
    private static final Base64.Encoder IDS = Base64.getUrlEncoder().withoutPadding();

    /** One upload as the route read it; {@code content} holds {@code size} bytes. */
    public record Upload(String declaredType, String fileName, long size, InputStream content) {
    }

    private final MediaConfig config;
    private final BlobStore store;
    private final MediaObjects records;
    private final GroupRepository groups;
    private final Thumbnailer thumbnailer;
    private final Path spool;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public MediaService(MediaConfig config, BlobStore store, MediaObjects records, GroupRepository groups,
            Clock clock) throws IOException {
        this.config = config;
        this.store = store;
        this.records = records;
        this.groups = groups;
        this.clock = clock;
        this.thumbnailer = new Thumbnailer(config.thumbnailEdge());
        this.spool = spoolDir(config);
        Files.createDirectories(spool);
    }

    /** Where uploads wait while they are checked (and the multipart parser spills parts). */
    public static Path spoolDir(MediaConfig config) {
        return config.localDir().resolve(".spool");
    }

    /** Checks, stores and records {@code upload} for {@code conversationId}. */
    public MediaObjects.Media upload(long caller, String conversationId, Upload upload)
            throws ApiException, IOException {
        requireMember(caller, conversationId);
        String type = normalType(upload.declaredType());
        if (type == null) {
            throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "the file part's Content-Type '"
                    + JsonBodies.abbreviate(upload.declaredType()) + "' is not a MIME type (type/subtype)");
        }
        if (!config.allows(type)) {
            throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "media of type " + type + " may not be uploaded"
                    + " here; allowed: " + String.join(", ", config.allowedTypes()) + " (media.allowed-types)");
        }
        MediaConfig.Limit limit = config.limitOf(type);
        if (upload.size() > limit.maxBytes()) {
            throw tooLarge(type, upload.size(), limit);
        }
        Path original = Files.createTempFile(spool, "up-", ".bin");
        Path thumb = null;
        try {
            long copied;
            try (InputStream in = upload.content()) {
                copied = Files.copy(in, original, StandardCopyOption.REPLACE_EXISTING);
            }
            if (copied > limit.maxBytes()) {
                throw tooLarge(type, copied, limit);
            }
            int width = 0;
            int height = 0;
            Thumbnailer.Thumbnail thumbnail = null;
            if (type.startsWith("image/")) {
                ImageProbe.Image image = probe(original, type);
                if (image.decodable()) {
                    if (image.pixels() > config.maxImagePixels()) {
                        throw new ApiException(413, "IMAGE_TOO_LARGE", "the image is " + image.width() + " x "
                                + image.height() + " = " + image.pixels() + " pixels, over the limit of "
                                + config.maxImagePixels() + " (media.max-image-pixels); it was not decoded. Scale it"
                                + " down and upload again");
                    }
                    width = image.width();
                    height = image.height();
                    thumb = Files.createTempFile(spool, "th-", ".bin");
                    try {
                        thumbnail = thumbnailer.write(original, image, thumb);
                    } catch (IOException | RuntimeException e) {
                        // a valid header over pixels ImageIO cannot decode (a CMYK JPEG, a truncated file): the
                        // image is still what it says it is, so it is stored; only the preview is missing
                        log.warn("[media] uid {}: no thumbnail for a {} x {} {} ({} bytes); stored without one",
                                caller, image.width(), image.height(), type, copied, e);
                    }
                }
            }
            String id = newId();
            String blobKey = "o/" + id.substring(0, 2) + "/" + id;
            String thumbKey = thumbnail == null ? null : "t/" + id.substring(0, 2) + "/" + id;
            String fileName = fileName(upload.fileName());
            put(blobKey, original, copied, type);
            try {
                if (thumbnail != null) {
                    put(thumbKey, thumb, Files.size(thumb), thumbnail.mimeType());
                }
                MediaObjects.Media media = new MediaObjects.Media(id, caller, conversationId, type, copied, width,
                        height, fileName, blobKey, thumbKey, clock.millis());
                records.insert(media);
                log.info("[media {}] uid {} uploaded {} bytes of {} for {} to {}", id, caller, copied, type,
                        conversationId, store.describe());
                return media;
            } catch (IOException | RuntimeException e) {
                // the record is not written: leave no orphan blobs behind
                discard(blobKey, e);
                if (thumbKey != null) {
                    discard(thumbKey, e);
                }
                throw e;
            }
        } finally {
            Files.deleteIfExists(original);
            if (thumb != null) {
                Files.deleteIfExists(thumb);
            }
        }
    }

    /** The record of {@code mediaId}; 404 NOT_FOUND when there is none. */
    public MediaObjects.Media find(String mediaId) throws ApiException {
        Optional<MediaObjects.Media> found = validId(mediaId) ? records.find(mediaId) : Optional.empty();
        return found.orElseThrow(() -> new ApiException(404, "NOT_FOUND", "no media with id '"
                + JsonBodies.abbreviate(mediaId) + "'"));
    }

    /** 403 FORBIDDEN unless {@code caller} is a member of {@code conversationId} now; 400 for a malformed id. */
    public void requireMember(long caller, String conversationId) throws ApiException {
        ConversationRef ref = ConversationRef.parse(conversationId).orElseThrow(() -> ApiException.badRequest(
                "conversationId '" + JsonBodies.abbreviate(conversationId) + "' is not s_<uid>_<uid> or g_<group id>"));
        boolean member;
        if (ref instanceof ConversationRef.Group g) {
            Optional<GroupRoster> roster = groups.roster(g.groupId());
            member = roster.isPresent() && roster.get().isMember(caller);
        } else {
            member = ((ConversationRef.Single) ref).hasMember(caller);
        }
        if (!member) {
            throw new ApiException(403, "FORBIDDEN", "uid " + caller + " is not a member of " + conversationId);
        }
    }

    private ImageProbe.Image probe(Path file, String declared) throws ApiException {
        Optional<ImageProbe.Image> image;
        try {
            image = ImageProbe.probe(file);
        } catch (IOException e) {
            throw new ApiException(415, "MEDIA_TYPE_MISMATCH", "the upload was declared " + declared + " but is"
                    + " not a readable image: " + e.getMessage());
        }
        if (image.isEmpty() || !image.get().mimeType().equals(declared)) {
            throw new ApiException(415, "MEDIA_TYPE_MISMATCH", "the upload was declared " + declared + " but its"
                    + " content is " + image.map(ImageProbe.Image::mimeType).orElse("no image format we know (PNG,"
                    + " JPEG, GIF, WebP, BMP)") + "; send it with its real type");
        }
        return image.get();
    }

    private void put(String key, Path file, long size, String type) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            store.put(key, in, size, type);
        }
    }

    private void discard(String key, Exception cause) {
        try {
            store.delete(key);
        } catch (IOException e) {
            cause.addSuppressed(e);
            log.warn("[media] blob {} in {} is left without a record; delete it by hand: {}", key,
                    store.describe(), e.toString());
        }
    }

    private static ApiException tooLarge(String type, long size, MediaConfig.Limit limit) {
        return new ApiException(413, "MEDIA_TOO_LARGE", "a " + type + " upload may be at most " + limit.maxBytes()
                + " bytes (" + limit.setting() + "), this one is " + size + " bytes");
    }

    /** {@code Image/JPEG; charset=x} -> {@code image/jpeg}; a missing type is a generic file; null when malformed. */
    static String normalType(String declared) {
        if (declared == null || declared.isBlank()) {
            return "application/octet-stream";
        }
        String t = declared.strip().toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi).strip();
        }
        if (t.equals("image/jpg") || t.equals("image/pjpeg")) {
            t = "image/jpeg";
        }
        if (!t.matches("[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*") || t.length() > 127) {
            return null;
        }
        return t;
    }

    /** The last path segment of the name a client gave, without control characters, at most 255 characters. */
    static String fileName(String given) {
        if (given == null) {
            return "";
        }
        String name = given.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "").strip();
        return name.length() > 255 ? name.substring(name.length() - 255) : name;
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return IDS.encodeToString(bytes);
    }

    static boolean validId(String id) {
        return id != null && id.matches("[A-Za-z0-9_-]{22}");
    }
}
