package io.magpie.logic.media;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where uploaded media bytes live, by key ({@code [A-Za-z0-9._/-]}, no {@code ..}; the caller makes them
 * unguessable). Implementations: {@link LocalBlobStore} (a directory, the default) and {@link S3BlobStore}
 * (an S3-compatible bucket). Thread-safe; the owner closes it when the role stops.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Stores {@code size} bytes read from {@code content} under {@code key}, replacing what was there. The blob
     * is visible to {@link #open} only once complete.
     *
     * @throws IOException when the store refuses or cannot be reached; nothing usable is left under the key
     */
    void put(String key, InputStream content, long size, String contentType) throws IOException;

    /**
     * The bytes under {@code key}; the caller closes the stream.
     *
     * @throws NoSuchBlobException when there is nothing under the key
     */
    InputStream open(String key) throws IOException;

    /**
     * Bytes {@code first..last} (inclusive) under {@code key}, for HTTP range requests. The default skips to
     * {@code first} and caps the stream; stores that can seek do better.
     */
    default InputStream open(String key, long first, long last) throws IOException {
        InputStream in = open(key);
        in.skipNBytes(first);
        return new BoundedInputStream(in, last - first + 1);
    }

    /** Removes {@code key}; no error when it is absent. */
    void delete(String key) throws IOException;

    /** What the store is, for logs: "local /var/lib/magpie/media", "s3 bucket@endpoint". */
    String describe();

    @Override
    default void close() {
    }

    /** Checks a key before it reaches a file system path or an object name. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 255 || !key.matches("[A-Za-z0-9._/-]+")
                || key.contains("..") || key.startsWith("/")) {
            throw new IllegalArgumentException("blob key must be 1-255 characters of [A-Za-z0-9._/-], not starting"
                    + " with / nor holding .., got '" + key + "'");
        }
        return key;
    }
}
