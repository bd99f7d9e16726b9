package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProbeTest {

    @TempDir
    Path dir;

    @Test
    void readsTheTypeFromTheSignatureAndTheSizeFromTheHeader() throws Exception {
        for (String format : new String[] {"png", "jpg", "gif", "bmp"}) {
            Path file = dir.resolve("img." + format);
            ImageIO.write(new BufferedImage(37, 21, BufferedImage.TYPE_INT_RGB), format, file.toFile());
            ImageProbe.Image image = ImageProbe.probe(file).orElseThrow();
            assertEquals(format.equals("jpg") ? "image/jpeg" : "image/" + format, image.mimeType());
            assertEquals(37, image.width(), format);
            assertEquals(21, image.height(), format);
        }
    }

    /** A 1 x 1 lossy (VP8) and a 1 x 1 lossless (VP8L) WebP, the smallest valid files of each kind. */
    private static final String LOSSY_WEBP = "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA";
    private static final String LOSSLESS_WEBP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";

    @Test
    void aWebpHasItsSizeReadAndDecodesForAThumbnailAndTextIsNoImage() throws Exception {
        for (String webp : new String[] {LOSSY_WEBP, LOSSLESS_WEBP}) {
            Path file = Files.write(dir.resolve("x.webp"), Base64.getDecoder().decode(webp));
            ImageProbe.Image image = ImageProbe.probe(file).orElseThrow();
            assertEquals("image/webp", image.mimeType());
            assertTrue(image.decodable(), "a WebP reader is on the class path");
            assertEquals(1, image.width());
            assertEquals(1, image.height());
            Path thumb = dir.resolve("x.thumb");
            Thumbnailer.Thumbnail t = new Thumbnailer(320).write(file, image, thumb);
            assertEquals("image/png", t.mimeType());
            assertEquals(1, ImageIO.read(thumb.toFile()).getWidth(), "never enlarged");
        }
        Path broken = Files.write(dir.resolve("b.webp"), "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(java.io.IOException.class, () -> ImageProbe.probe(broken), "a WebP signature over a broken header");

        assertTrue(ImageProbe.probe(Files.writeString(dir.resolve("t.txt"), "hello")).isEmpty());
        assertNull(ImageProbe.sniff(new byte[0], 0));
    }
}
