package io.magpie.server.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.logic.MediaConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code media.*}: the local store by default, S3 by configuration, sizes with units, refusals naming the key. */
class MediaSettingsTest {

    @Test
    void theLocalStoreWithEveryDefault() {
        MediaConfig media = new Settings(ConfigTree.of("", Map.of())).media();
        assertEquals(MediaConfig.Store.LOCAL, media.store());
        assertEquals(Path.of("media").toAbsolutePath(), media.localDir());
        assertNull(media.s3());
        assertEquals(10L << 20, media.maxImageBytes());
        assertEquals(100L << 20, media.maxVideoBytes());
        assertEquals(MediaConfig.DEFAULT_ALLOWED_TYPES, media.allowedTypes());
        assertEquals(Duration.ofMinutes(15), media.urlTtl());
        assertNull(media.urlSecret(), "derived from the token key");
    }

    @Test
    void anS3StoreFromTheFileWithTheSecretsFromTheEnvironment() {
        MediaConfig media = new Settings(ConfigTree.of("""
                media:
                  store: s3
                  max-image-bytes: 5MiB
                  max-file-bytes: 512KiB
                  allowed-types: [image/png, "video/*"]
                  s3:
                    endpoint: http://minio:9000
                    bucket: chat-media
                    access-key: magpie
                """, Map.of("MAGPIE_MEDIA_S3_SECRET_KEY", "from-the-env",
                "MAGPIE_MEDIA_URL_SECRET", "a-url-secret-from-the-environment-of-32-bytes"))).media();
        assertEquals(MediaConfig.Store.S3, media.store());
        assertEquals(new MediaConfig.S3(URI.create("http://minio:9000"), "us-east-1", "chat-media", "magpie",
                "from-the-env", true, "media/"), media.s3());
        assertEquals(5L << 20, media.maxImageBytes());
        assertEquals(512L << 10, media.maxFileBytes());
        assertEquals(List.of("image/png", "video/*"), media.allowedTypes());
        assertTrue(media.allows("video/mp4"));
        assertFalse(media.allows("image/jpeg"));
        assertArrayEquals("a-url-secret-from-the-environment-of-32-bytes".getBytes(StandardCharsets.UTF_8),
                media.urlSecret());
        assertFalse(media.toString().contains("from-the-env"), "the secret key is never printed: " + media);
    }

    @Test
    void awsS3NeedsNoEndpointAndUsesVirtualHostedAddressing() {
        MediaConfig media = new Settings(ConfigTree.of("", Map.of("MAGPIE_MEDIA_STORE", "s3",
                "MAGPIE_MEDIA_S3_BUCKET", "b", "MAGPIE_MEDIA_S3_REGION", "eu-west-1"))).media();
        assertNull(media.s3().endpoint());
        assertFalse(media.s3().pathStyle());
        assertNull(media.s3().accessKey(), "the AWS default credential chain");
    }

    @Test
    void mistakesAreRefusedNamingTheKey() {
        assertRefused("media:\n  store: ftp\n", "media.store must be local or s3");
        assertRefused("media:\n  store: s3\n", "media.s3.bucket is required");
        assertRefused("media:\n  store: s3\n  s3:\n    bucket: b\n    access-key: k\n", "go together");
        assertRefused("media:\n  max-image-bytes: 3GiB\n", "media.max-image-bytes must be between 1 and");
        assertRefused("media:\n  max-image-bytes: ten\n", "is not a size");
        assertRefused("media:\n  allowed-types: [png]\n", "type/subtype or type/*");
        assertRefused("media:\n  url-ttl: 1s\n", "media.url-ttl must be between 10s and 7d");
        assertRefused("media:\n  url-secret: short\n", "at least 32 bytes");
        assertRefused("media:\n  store: s3\n  s3:\n    bucket: b\n    endpoint: minio:9000\n",
                "media.s3.endpoint must be http(s)://host[:port]");
    }

    @Test
    void anUnknownMediaKeyIsRefused() {
        Settings settings = new Settings(ConfigTree.of("media:\n  max-imag-bytes: 1MiB\n", Map.of()));
        ConfigException e = assertThrows(ConfigException.class, settings::rejectUnknownKeys);
        assertTrue(e.getMessage().contains("media.max-imag-bytes"), e.getMessage());
    }

    private static void assertRefused(String yaml, String messagePart) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Settings(ConfigTree.of(yaml, Map.of())).media());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
}
