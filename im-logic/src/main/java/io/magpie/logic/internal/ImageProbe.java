package io.magpie.logic.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * What an uploaded file really is, read from its first bytes rather than from what the client declared: the
 * image type by its signature (PNG, JPEG, GIF, WebP, BMP), and the dimensions from the header through an
 * ImageIO reader, without decoding a pixel, so the pixel limit is checked before anything large is
 * allocated. Stateless.
 */
final class ImageProbe {

    /**
     * A recognised image.
     *
     * @param width  0 when no ImageIO reader knows the format (every format we sniff has one: PNG, JPEG, GIF, BMP
     *               in the JDK, WebP from TwelveMonkeys)
     * @param height 0 likewise
     */
    record Image(String mimeType, int width, int height) {

        long pixels() {
            return (long) width * height;
        }

        boolean decodable() {
            return width > 0 && height > 0;
        }
    }

    private ImageProbe() {
    }

    /** The image {@code file} holds, or empty when its first bytes are no image signature we know. */
    static Optional<Image> probe(Path file) throws IOException {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        String type = sniff(head, n);
        if (type == null) {
            return Optional.empty();
        }
        try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = iis == null ? java.util.Collections.emptyIterator()
                    : ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                return Optional.of(new Image(type, 0, 0));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                return Optional.of(new Image(type, reader.getWidth(0), reader.getHeight(0)));
            } catch (IOException | RuntimeException e) {
                // a signature with a broken header: an image we cannot read, so not one we can vouch for
                throw new IOException("the file starts like " + type + " but its header cannot be read: "
                        + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The MIME type of the image signature at the start of {@code b}, or null. */
    static String sniff(byte[] b, int n) {
        if (n >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[4] == 0x0D
                && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
            return "image/png";
        }
        if (n >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "image/jpeg";
        }
        if (n >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9')
                && b[5] == 'a') {
            return "image/gif";
        }
        if (n >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        if (n >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "image/bmp";
        }
        return null;
    }
}
