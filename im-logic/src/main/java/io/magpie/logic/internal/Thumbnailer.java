package io.magpie.logic.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import net.coobird.thumbnailator.Thumbnails;

/**
 * Makes the preview of an uploaded image with Thumbnailator: the longer edge scaled down to {@code edge}
 * pixels (never up), JPEG for JPEG sources, PNG otherwise (keeps transparency). Only called for an image
 * whose header dimensions passed the pixel limit ({@link ImageProbe}), so decoding one is bounded; and at most
 * {@link #CONCURRENT_DECODES} decode at once, so many large uploads together cannot multiply that bound past the
 * heap (the others wait). Thread-safe.
 */
final class Thumbnailer {

    /** Decoded images held at once: each may take 4 bytes per pixel of {@code media.max-image-pixels}. */
    static final int CONCURRENT_DECODES = 2;

    private final java.util.concurrent.Semaphore decodes = new java.util.concurrent.Semaphore(CONCURRENT_DECODES,
            true);

    /** The thumbnail written, and its size. */
    record Thumbnail(String mimeType, int width, int height) {
    }

    private final int edge;

    Thumbnailer(int edge) {
        this.edge = edge;
    }

    Thumbnail write(Path source, ImageProbe.Image image, Path target) throws IOException {
        double scale = Math.min(1.0, (double) edge / Math.max(image.width(), image.height()));
        String format = image.mimeType().equals("image/jpeg") ? "jpg" : "png";
        try {
            decodes.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to decode an image for its thumbnail", e);
        }
        try (OutputStream out = Files.newOutputStream(target)) {
            Thumbnails.of(source.toFile()).scale(scale).outputFormat(format).toOutputStream(out);
        } finally {
            decodes.release();
        }
        ImageProbe.Image out = ImageProbe.probe(target).orElseThrow(() ->
                new IOException("Thumbnailator wrote no readable " + format + " to " + target));
        return new Thumbnail(format.equals("jpg") ? "image/jpeg" : "image/png", out.width(), out.height());
    }
}
