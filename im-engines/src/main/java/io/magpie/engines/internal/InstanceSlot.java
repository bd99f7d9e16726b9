package io.magpie.engines.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One numbered working directory ({@code <root>/slot-N}) held exclusively through an OS file
 * lock ({@code slot-N.lock}) for as long as one infrastructure instance runs.
 *
 * <p>The lock dies with the JVM, also on {@code kill -9}, so whoever acquires a slot knows any
 * server process recorded in it is a leftover and may be killed. Test JVMs that run one after
 * another reuse slot 0 (and its MariaDB data directory); concurrent ones get the next free slot.
 */
public final class InstanceSlot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstanceSlot.class);
    static final int MAX_SLOTS = 8;

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceSlot(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lowest free slot under {@code root}, creating directories as needed. */
    public static InstanceSlot acquire(Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create infrastructure directory " + root
                    + " (set MAGPIE_INFRA_DIR to a writable directory)", e);
        }
        for (int n = 0; n < MAX_SLOTS; n++) {
            Path lockFile = root.resolve("slot-" + n + ".lock");
            FileChannel channel = null;
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    Path dir = Files.createDirectories(root.resolve("slot-" + n));
                    log.debug("acquired {}", dir);
                    return new InstanceSlot(dir, channel, lock);
                }
                channel.close();
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UncheckedIOException("cannot lock " + lockFile, e);
            }
        }
        throw new IllegalStateException("all " + MAX_SLOTS + " infrastructure slots under "
                + root + " are in use by running JVMs; stop some or set MAGPIE_INFRA_DIR");
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by another instance in this JVM
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("{}: cannot release lock", dir, e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing lock channel failed", e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
