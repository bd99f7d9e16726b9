package io.magpie.logic.internal;

import io.magpie.das.MediaObjects;
import io.magpie.logic.media.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the bytes of media whose message was recalled (marked in the recall's transaction, unreachable for
 * clients from then on), then their rows: on a thread of its own, every {@link #INTERVAL}. Every logic node runs
 * one; two purging the same media delete the same blobs twice, which both stores allow. A blob that cannot be
 * deleted now keeps its row, so the next round tries again.
 */
public final class MediaPurger implements AutoCloseable {

    /** Recalls are rare and the media is unreachable at once: the bytes may wait this long. */
    public static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(MediaPurger.class);

    private final MediaObjects records;
    private final BlobStore store;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public MediaPurger(MediaObjects records, BlobStore store, Clock clock) {
        this.records = records;
        this.store = store;
        this.clock = clock;
    }

    /** Purges every {@link #INTERVAL} from now on. */
    public MediaPurger start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "media-purge");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::purgeQuietly, INTERVAL.toMillis(), INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * One round: up to 100 deleted media purged.
     *
     * @return how many were purged (blobs and row gone)
     */
    public int purgeOnce() {
        List<MediaObjects.Deleted> deleted = records.deleted(BATCH);
        int purged = 0;
        for (MediaObjects.Deleted d : deleted) {
            try {
                store.delete(d.blobKey());
                if (d.thumbKey() != null) {
                    store.delete(d.thumbKey());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("[media {}] the blobs of recalled media could not be deleted from {} ({}); tried again in {}",
                        d.mediaId(), store.describe(), e.toString(), INTERVAL);
                // to the back of the queue: a blob that never goes away must not hold back the others
                records.postpone(d.mediaId(), clock.millis());
                continue;
            }
            records.remove(d.mediaId());
            purged++;
        }
        if (purged > 0) {
            log.info("[media] purged {} recalled media from {}", purged, store.describe());
        }
        return purged;
    }

    private void purgeQuietly() {
        try {
            purgeOnce();
        } catch (RuntimeException e) {
            // MySQL unavailable: the marks stay, the next round finds them
            log.warn("[media] purging recalled media failed; tried again in {}", INTERVAL, e);
        }
    }

    /** Stops the thread, letting a round in progress finish (at most 10 s) before the store is closed. */
    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
