package io.magpie.logic.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.magpie.das.MediaObjects;
import io.magpie.logic.MediaConfig;
import io.magpie.logic.media.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Media over the account API (docs/PROTOCOL.md §1.3):
 * <ul>
 *   <li>{@code POST /v1/media} (bearer; multipart/form-data with a {@code conversationId} field and one
 *       {@code file} part) -> 201 {@link Uploaded}: the stable URLs to put into {@code MediaInfo}.</li>
 *   <li>{@code GET /v1/media/{id}/url} (bearer, a member of the media's conversation) -> 200 {@link SignedUrls}:
 *       short-lived signed URLs of the original and the thumbnail.</li>
 *   <li>{@code GET /v1/media/{id}?exp&sig} and {@code GET /v1/media/{id}/thumbnail?exp&sig} (no bearer: the
 *       signature is the credential) -> the bytes; a single {@code Range: bytes=...} is honoured (206).</li>
 * </ul>
 * Thread-safe.
 */
public final class MediaRoutes {

    /** Multipart framing and the conversationId field on top of the file itself. */
    public static final long MULTIPART_OVERHEAD_BYTES = 64 * 1024;
    public static final String UPLOAD_PATH = "/v1/media";

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    private final MediaService media;
    private final BlobStore store;
    private final MediaUrlSigner signer;
    private final long largestUpload;
    private final UploadLimiter limiter;

    public MediaRoutes(MediaConfig config, MediaService media, BlobStore store, MediaUrlSigner signer,
            UploadLimiter limiter) {
        this.limiter = limiter;
        this.media = media;
        this.store = store;
        this.signer = signer;
        this.largestUpload = config.largestUpload();
    }

    /** What an upload answers: the stable references to put into {@code MediaInfo}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Uploaded(String mediaId, String conversationId, String mimeType, long sizeBytes, Integer width,
            Integer height, String fileName, String url, String thumbnailUrl) {
    }

    /** Signed download URLs (relative to the account API), valid until {@code expiresAt} (epoch millis). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SignedUrls(String mediaId, String url, String thumbnailUrl, long expiresAt) {
    }

    /**
     * Lets the upload route's body through: {@code POST /v1/media} may carry the largest upload plus the
     * multipart framing, and parts over 64 KiB spill to the spool directory, never to memory.
     */
    public static void configure(JavalinConfig cfg, MediaConfig config) {
        cfg.jetty.multipartConfig.cacheDirectory(MediaService.spoolDir(config).toString());
        cfg.jetty.multipartConfig.maxFileSize(config.largestUpload(), SizeUnit.BYTES);
        cfg.jetty.multipartConfig.maxTotalRequestSize(config.largestUpload() + MULTIPART_OVERHEAD_BYTES,
                SizeUnit.BYTES);
        cfg.jetty.multipartConfig.maxInMemoryFileSize(64, SizeUnit.KB);
    }

    /** The body limit of the upload route (for {@code BodyLimit}). */
    public static long uploadBodyLimit(MediaConfig config) {
        return config.largestUpload() + MULTIPART_OVERHEAD_BYTES;
    }

    public void register(Javalin app) {
        app.post(UPLOAD_PATH, this::upload);
        app.get("/v1/media/{mediaId}/url", this::signedUrls);
        app.get("/v1/media/{mediaId}", ctx -> download(ctx, MediaUrlSigner.ORIGINAL), Access.OPEN);
        app.get("/v1/media/{mediaId}/thumbnail", ctx -> download(ctx, MediaUrlSigner.THUMBNAIL), Access.OPEN);
    }

    private void upload(Context ctx) throws ApiException, IOException {
        long caller = BearerAuth.caller(ctx).uid();
        String contentType = ctx.contentType();
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiException.badRequest("POST /v1/media takes multipart/form-data with a conversationId field and"
                    + " a file part, got Content-Type " + contentType);
        }
        UploadedFile file;
        String conversationId;
        try {
            file = ctx.uploadedFile("file");
            conversationId = ctx.formParam("conversationId");
        } catch (IllegalStateException e) {
            // Jetty's multipart parser enforces the largest upload while it reads (chunked bodies included)
            if (String.valueOf(e.getMessage()).contains("max")) {
                throw new ApiException(413, "MEDIA_TOO_LARGE", "the upload is over the largest this server takes, "
                        + largestUpload + " bytes of file (the largest of media.max-*-bytes) and "
                        + MULTIPART_OVERHEAD_BYTES + " bytes of multipart framing; nothing was stored");
            }
            throw ApiException.badRequest("the multipart body could not be read: " + e.getMessage());
        } catch (RuntimeException e) {
            throw ApiException.badRequest("the multipart body could not be read: " + e.getMessage());
        }
        if (file == null) {
            throw ApiException.badRequest("the multipart body has no part named 'file' with a filename (the media)");
        }
        if (conversationId == null || conversationId.isBlank()) {
            throw ApiException.badRequest("the multipart body has no conversationId field (s_<uid>_<uid> or"
                    + " g_<group id>, the conversation the media will be sent to)");
        }
        // after the parse (the size is known only then), before anything is checked, thumbnailed or stored
        Optional<UploadLimiter.Refusal> refused = limiter.admit(caller, file.size());
        if (refused.isPresent()) {
            ctx.header("Retry-After", Long.toString(refused.get().retryAfterSeconds()));
            throw new ApiException(429, "RATE_LIMITED", refused.get().message());
        }
        MediaObjects.Media m = media.upload(caller, conversationId.strip(), new MediaService.Upload(
                file.contentType(), file.filename(), file.size(), file.content()));
        String path = stablePath(m.mediaId());
        ctx.status(201).json(new Uploaded(m.mediaId(), m.conversationId(), m.mimeType(), m.sizeBytes(),
                m.width() > 0 ? m.width() : null, m.height() > 0 ? m.height() : null,
                m.fileName().isEmpty() ? null : m.fileName(), path,
                m.thumbKey() == null ? null : path + "/thumbnail"));
    }

    private void signedUrls(Context ctx) throws ApiException {
        long caller = BearerAuth.caller(ctx).uid();
        MediaObjects.Media m = media.find(ctx.pathParam("mediaId"));
        media.requireMember(caller, m.conversationId());
        String path = stablePath(m.mediaId());
        MediaUrlSigner.Signed original = signer.sign(path, m.mediaId(), MediaUrlSigner.ORIGINAL);
        String thumbnail = m.thumbKey() == null ? null
                : signer.sign(path + "/thumbnail", m.mediaId(), MediaUrlSigner.THUMBNAIL).url();
        ctx.header("Cache-Control", "no-store").json(new SignedUrls(m.mediaId(), original.url(), thumbnail,
                original.expiresAtMillis()));
    }

    private void download(Context ctx, String variant) throws ApiException, IOException {
        String id = ctx.pathParam("mediaId");
        // the signature first: without it nobody learns whether an id exists
        signer.verify(id, variant, ctx.queryParam("exp"), ctx.queryParam("sig"));
        MediaObjects.Media m = media.find(id);
        boolean thumb = variant.equals(MediaUrlSigner.THUMBNAIL);
        if (thumb && m.thumbKey() == null) {
            throw new ApiException(404, "NOT_FOUND", "media " + id + " (" + m.mimeType() + ") has no thumbnail");
        }
        String key = thumb ? m.thumbKey() : m.blobKey();
        String type = thumb ? (m.mimeType().equals("image/jpeg") ? "image/jpeg" : "image/png") : m.mimeType();
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "private, max-age=300");
        if (!thumb && !(type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/"))) {
            // never render a document on the API's own origin: it is saved, not shown
            String name = m.fileName().isEmpty() ? m.mediaId() : m.fileName();
            ctx.header("Content-Disposition", "attachment; filename*=UTF-8''"
                    + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        if (thumb) {
            // the thumbnail's size is not recorded: stream it whole
            send(ctx, store.open(key), type, -1, 200);
            return;
        }
        long size = m.sizeBytes();
        ctx.header("Accept-Ranges", "bytes");
        String range = ctx.header("Range");
        Matcher r = range == null ? null : RANGE.matcher(range.strip());
        if (r == null || !r.matches() || (r.group(1).isEmpty() && r.group(2).isEmpty())) {
            // no Range, or one we do not serve (several ranges): the whole body, as RFC 9110 allows
            send(ctx, store.open(key), type, size, 200);
            return;
        }
        long first;
        long last;
        if (r.group(1).isEmpty()) {
            long suffix = Long.parseLong(r.group(2));
            first = Math.max(0, size - suffix);
            last = size - 1;
        } else {
            first = Long.parseLong(r.group(1));
            last = r.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(r.group(2)));
        }
        if (first >= size || first > last) {
            ctx.header("Content-Range", "bytes */" + size);
            throw new ApiException(416, "RANGE_NOT_SATISFIABLE", "the range " + range + " lies outside the media's "
                    + size + " bytes");
        }
        ctx.header("Content-Range", "bytes " + first + "-" + last + "/" + size);
        send(ctx, store.open(key, first, last), type, last - first + 1, 206);
    }

    private static void send(Context ctx, InputStream blob, String type, long length, int status) throws IOException {
        try (InputStream in = blob) {
            ctx.status(status);
            ctx.res().setContentType(type);
            if (length >= 0) {
                ctx.res().setContentLengthLong(length);
            }
            // straight to the servlet stream: Javalin's result path would gzip or buffer it
            OutputStream out = ctx.res().getOutputStream();
            in.transferTo(out);
            out.flush();
        }
    }

    private static String stablePath(String mediaId) {
        return "/v1/media/" + mediaId;
    }
}
