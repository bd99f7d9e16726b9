package io.magpie.logic.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Blobs as files under one directory ({@code media.local.dir}): a key {@code ab/cdef} is the file
 * {@code <dir>/ab/cdef}. A put writes a temporary file beside the target and moves it into place atomically, so
 * a reader never sees half a blob and a failed put leaves nothing. For one node (standalone) or a directory
 * every logic node shares (NFS). Thread-safe.
 */
public final class LocalBlobStore implements BlobStore {

    private final Path dir;

    /** Creates {@code dir} if needed; fails at once when it cannot be written. */
    public LocalBlobStore(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(this.dir);
        if (!Files.isWritable(this.dir)) {
            throw new IOException("media.local.dir " + this.dir + " is not writable by this process; fix its"
                    + " permissions or point media.local.dir elsewhere");
        }
    }

    @Override
    public void put(String key, InputStream content, long size, String contentType) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
        try {
            long copied = Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (copied != size) {
                throw new IOException("blob " + key + ": expected " + size + " bytes, the stream held " + copied);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return Files.newInputStream(path(key));
        } catch (NoSuchFileException e) {
            throw new NoSuchBlobException("no blob " + key + " in " + dir, e);
        }
    }

    @Override
    public InputStream open(String key, long first, long last) throws IOException {
        SeekableByteChannel channel;
        try {
            channel = Files.newByteChannel(path(key), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchBlobException("no blob " + key + " in " + dir, e);
        }
        channel.position(first);
        return new BoundedInputStream(Channels.newInputStream(channel), last - first + 1);
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public String describe() {
        return "local " + dir;
    }

    private Path path(String key) {
        Path p = dir.resolve(BlobStore.checkKey(key)).normalize();
        if (!p.startsWith(dir)) {
            throw new IllegalArgumentException("blob key " + key + " leaves " + dir);
        }
        return p;
    }
}
