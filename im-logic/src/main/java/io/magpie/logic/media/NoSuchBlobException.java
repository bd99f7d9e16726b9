package io.magpie.logic.media;

import java.io.IOException;

/** {@link BlobStore#open} found nothing under the key: the blob was deleted, or never completed. Not retryable. */
public final class NoSuchBlobException extends IOException {

    private static final long serialVersionUID = 1L;

    public NoSuchBlobException(String message, Throwable cause) {
        super(message, cause);
    }
}
