package io.magpie.logic.media;

import io.magpie.logic.MediaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Opens the {@link BlobStore} that {@code media.store} names. */
public final class BlobStores {

    private BlobStores() {
    }

    /**
     * The configured store; the caller owns it and closes it.
     *
     * @throws UncheckedIOException when the local directory cannot be created or written
     */
    public static BlobStore open(MediaConfig config) {
        if (config.store() == MediaConfig.Store.S3) {
            return new S3BlobStore(config.s3());
        }
        try {
            return new LocalBlobStore(config.localDir());
        } catch (IOException e) {
            throw new UncheckedIOException("media.local.dir " + config.localDir() + " cannot be used: "
                    + e.getMessage(), e);
        }
    }
}
