package io.magpie.logic;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Media uploads ({@code media.*}, docs/operations.md "Media"): where blobs are stored, what may be
 * uploaded, and how long a signed download URL lasts. Validated once; immutable.
 *
 * @param store           {@code media.store}: {@link Store#LOCAL} (default) or {@link Store#S3}
 * @param localDir        {@code media.local.dir}: the local store's directory (and the upload spool of both
 *                        stores); required
 * @param s3              {@code media.s3.*}; required when {@code store} is S3, else may be null
 * @param maxImageBytes   {@code media.max-image-bytes}: largest image (image/*); 1 B-2 GiB, default 10 MiB
 * @param maxAudioBytes   {@code media.max-audio-bytes}: largest audio (audio/*); 1 B-2 GiB, default 20 MiB
 * @param maxVideoBytes   {@code media.max-video-bytes}: largest video (video/*); 1 B-2 GiB, default 100 MiB
 * @param maxFileBytes    {@code media.max-file-bytes}: largest other file; 1 B-2 GiB, default 50 MiB
 * @param allowedTypes    {@code media.allowed-types}: MIME types that may be uploaded, exact
 *                        ({@code image/png}) or a whole family ({@code video/*}); lower case; not empty
 * @param maxImagePixels  {@code media.max-image-pixels}: width x height above which an image is refused before
 *                        it is decoded (a decompression bomb cannot exhaust memory); 1-500,000,000, default
 *                        50,000,000
 * @param thumbnailEdge   {@code media.thumbnail-edge}: the longer edge of a thumbnail, in pixels; 16-2048,
 *                        default 320
 * @param urlTtl          {@code media.url-ttl}: lifetime of a signed download URL; 10 s-7 days, default 15 min
 * @param urlSecret       {@code media.url-secret}: HMAC key of signed download URLs, at least 32 bytes; null =
 *                        derived from the token signing key (every logic node derives the same)
 */
public record MediaConfig(Store store, Path localDir, S3 s3, long maxImageBytes, long maxAudioBytes,
        long maxVideoBytes, long maxFileBytes, List<String> allowedTypes, long maxImagePixels, int thumbnailEdge,
        Duration urlTtl, byte[] urlSecret) {

    public static final long MAX_LIMIT = 2L * 1024 * 1024 * 1024;
    public static final long DEFAULT_MAX_IMAGE_BYTES = 10L * 1024 * 1024;
    public static final long DEFAULT_MAX_AUDIO_BYTES = 20L * 1024 * 1024;
    public static final long DEFAULT_MAX_VIDEO_BYTES = 100L * 1024 * 1024;
    public static final long DEFAULT_MAX_FILE_BYTES = 50L * 1024 * 1024;
    public static final List<String> DEFAULT_ALLOWED_TYPES = List.of("image/jpeg", "image/png", "image/gif",
            "image/webp", "audio/*", "video/*", "application/pdf", "application/zip", "application/octet-stream",
            "text/plain");
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;
    public static final int DEFAULT_THUMBNAIL_EDGE = 320;
    public static final Duration DEFAULT_URL_TTL = Duration.ofMinutes(15);

    /** Which {@code BlobStore} holds the bytes. */
    public enum Store {
        LOCAL, S3;

        /** {@code local} or {@code s3}, any case. */
        public static Store parse(String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "local", "" -> LOCAL;
                case "s3" -> S3;
                default -> throw new IllegalArgumentException("media.store must be local or s3, got '" + value + "'");
            };
        }
    }

    /**
     * An S3-compatible bucket ({@code media.s3.*}).
     *
     * @param endpoint  {@code media.s3.endpoint}: e.g. {@code http://minio:9000}; null = AWS's own for the region
     * @param region    {@code media.s3.region}: required by the signature even for MinIO/Ceph; default us-east-1
     * @param bucket    {@code media.s3.bucket}: must exist; required
     * @param accessKey {@code media.s3.access-key}; null together with secretKey = the AWS default credential chain
     *                  (environment, instance profile)
     * @param secretKey {@code media.s3.secret-key}
     * @param pathStyle {@code media.s3.path-style}: {@code http://host/bucket/key} instead of
     *                  {@code http://bucket.host/key}; MinIO and Ceph usually need true; default true when an
     *                  endpoint is set
     * @param keyPrefix {@code media.s3.key-prefix}: prepended to every object key; default {@code media/}
     */
    public record S3(URI endpoint, String region, String bucket, String accessKey, String secretKey,
            boolean pathStyle, String keyPrefix) {

        public S3 {
            region = region == null || region.isBlank() ? "us-east-1" : region.strip();
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("media.s3.bucket is required when media.store is s3 (the bucket"
                        + " must exist; Magpie does not create it)");
            }
            if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null
                    || !endpoint.getScheme().matches("https?"))) {
                throw new IllegalArgumentException("media.s3.endpoint must be http(s)://host[:port], got '"
                        + endpoint + "'");
            }
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("media.s3.access-key and media.s3.secret-key go together: set"
                        + " both, or neither for the AWS default credential chain");
            }
            keyPrefix = keyPrefix == null ? "media/" : keyPrefix;
            if (!keyPrefix.isEmpty() && !keyPrefix.matches("[A-Za-z0-9._/-]{1,200}")) {
                throw new IllegalArgumentException("media.s3.key-prefix must be up to 200 characters of"
                        + " [A-Za-z0-9._/-], got '" + keyPrefix + "'");
            }
        }

        @Override
        public String toString() {
            // never print the secret key
            return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", accessKey="
                    + accessKey + ", secretKey=" + (secretKey == null ? "null" : "<set>") + ", pathStyle=" + pathStyle
                    + ", keyPrefix=" + keyPrefix + "]";
        }
    }

    public MediaConfig {
        store = Objects.requireNonNullElse(store, Store.LOCAL);
        Objects.requireNonNull(localDir, "media.local.dir is required (the local store and the upload spool)");
        localDir = localDir.toAbsolutePath().normalize();
        if (store == Store.S3 && s3 == null) {
            throw new IllegalArgumentException("media.store is s3 but no media.s3.* settings are given; set at"
                    + " least media.s3.bucket");
        }
        range("media.max-image-bytes", maxImageBytes, 1, MAX_LIMIT);
        range("media.max-audio-bytes", maxAudioBytes, 1, MAX_LIMIT);
        range("media.max-video-bytes", maxVideoBytes, 1, MAX_LIMIT);
        range("media.max-file-bytes", maxFileBytes, 1, MAX_LIMIT);
        if (allowedTypes == null || allowedTypes.isEmpty()) {
            throw new IllegalArgumentException("media.allowed-types must list at least one MIME type (e.g."
                    + " image/png or video/*)");
        }
        allowedTypes = allowedTypes.stream().map(t -> t.strip().toLowerCase(Locale.ROOT)).toList();
        for (String t : allowedTypes) {
            if (!t.matches("[a-z0-9][a-z0-9.+-]*/([a-z0-9][a-z0-9.+-]*|\\*)")) {
                throw new IllegalArgumentException("media.allowed-types entries must be type/subtype or type/*,"
                        + " got '" + t + "'");
            }
        }
        range("media.max-image-pixels", maxImagePixels, 1, 500_000_000);
        range("media.thumbnail-edge", thumbnailEdge, 16, 2048);
        Objects.requireNonNull(urlTtl, "media.url-ttl");
        if (urlTtl.compareTo(Duration.ofSeconds(10)) < 0 || urlTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("media.url-ttl must be between 10s and 7d, got " + urlTtl);
        }
        if (urlSecret != null && urlSecret.length < 32) {
            throw new IllegalArgumentException("media.url-secret must be at least 32 bytes, got " + urlSecret.length);
        }
        urlSecret = urlSecret == null ? null : urlSecret.clone();
    }

    /** Every default, the local store in {@code localDir}. */
    public static MediaConfig local(Path localDir) {
        return new MediaConfig(Store.LOCAL, localDir, null, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_AUDIO_BYTES,
                DEFAULT_MAX_VIDEO_BYTES, DEFAULT_MAX_FILE_BYTES, DEFAULT_ALLOWED_TYPES, DEFAULT_MAX_IMAGE_PIXELS,
                DEFAULT_THUMBNAIL_EDGE, DEFAULT_URL_TTL, null);
    }

    /** The default when nothing is configured: the local store under the system's temporary directory. */
    public static MediaConfig defaults() {
        return local(Path.of(System.getProperty("java.io.tmpdir"), "magpie-media"));
    }

    @Override
    public byte[] urlSecret() {
        return urlSecret == null ? null : urlSecret.clone();
    }

    /** The largest upload of any kind: the body limit of {@code POST /v1/media}. */
    public long largestUpload() {
        return Math.max(Math.max(maxImageBytes, maxAudioBytes), Math.max(maxVideoBytes, maxFileBytes));
    }

    /** The size limit of {@code mimeType} (lower case) and the setting that holds it. */
    public Limit limitOf(String mimeType) {
        if (mimeType.startsWith("image/")) {
            return new Limit(maxImageBytes, "media.max-image-bytes");
        }
        if (mimeType.startsWith("audio/")) {
            return new Limit(maxAudioBytes, "media.max-audio-bytes");
        }
        if (mimeType.startsWith("video/")) {
            return new Limit(maxVideoBytes, "media.max-video-bytes");
        }
        return new Limit(maxFileBytes, "media.max-file-bytes");
    }

    /** A size limit and the setting it comes from, for error messages. */
    public record Limit(long maxBytes, String setting) {
    }

    /** Whether {@code mimeType} (lower case, no parameters) matches an entry of {@link #allowedTypes}. */
    public boolean allows(String mimeType) {
        String family = mimeType.substring(0, mimeType.indexOf('/') + 1) + "*";
        return allowedTypes.contains(mimeType) || allowedTypes.contains(family);
    }

    public MediaConfig withStore(Store store, S3 s3) {
        return new MediaConfig(store, localDir, s3, maxImageBytes, maxAudioBytes, maxVideoBytes, maxFileBytes,
                allowedTypes, maxImagePixels, thumbnailEdge, urlTtl, urlSecret);
    }

    public MediaConfig withLimits(long image, long audio, long video, long file, long pixels) {
        return new MediaConfig(store, localDir, s3, image, audio, video, file, allowedTypes, pixels, thumbnailEdge,
                urlTtl, urlSecret);
    }

    public MediaConfig withAllowedTypes(List<String> types) {
        return new MediaConfig(store, localDir, s3, maxImageBytes, maxAudioBytes, maxVideoBytes, maxFileBytes,
                types, maxImagePixels, thumbnailEdge, urlTtl, urlSecret);
    }

    public MediaConfig withUrls(Duration ttl, byte[] secret, int thumbnailEdge) {
        return new MediaConfig(store, localDir, s3, maxImageBytes, maxAudioBytes, maxVideoBytes, maxFileBytes,
                allowedTypes, maxImagePixels, thumbnailEdge, ttl, secret);
    }

    @Override
    public String toString() {
        return "MediaConfig[store=" + store + ", localDir=" + localDir + ", s3=" + s3 + ", maxBytes(image/audio/video/file)="
                + maxImageBytes + "/" + maxAudioBytes + "/" + maxVideoBytes + "/" + maxFileBytes + ", allowedTypes="
                + allowedTypes + ", maxImagePixels=" + maxImagePixels + ", thumbnailEdge=" + thumbnailEdge
                + ", urlTtl=" + urlTtl + ", urlSecret=" + (urlSecret == null ? "derived" : "<set>") + "]";
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
