package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void aWebpIsRecognisedWithoutDimensionsAndTextIsNoImage() throws Exception {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("x.webp"), webp);
        ImageProbe.Image image = ImageProbe.probe(file).orElseThrow();
        assertEquals("image/webp", image.mimeType());
        assertEquals(false, image.decodable());

        assertTrue(ImageProbe.probe(Files.writeString(dir.resolve("t.txt"), "hello")).isEmpty());
        assertNull(ImageProbe.sniff(new byte[0], 0));
    }
}
