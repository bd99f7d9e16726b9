package io.magpie.idgen;

import io.magpie.idgen.internal.Segment;
import io.magpie.idgen.internal.SegmentTable;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dense ids from the database (uids, group ids, ...): one row of MySQL table
 * {@code id_segment(biz_tag, max_id, step)} per biz tag, created on first use with max_id 0. Each
 * trip to the database takes {@code step} ids ({@code UPDATE ... SET max_id = max_id + step} in a
 * transaction), which are then handed out from memory. Instances in any number of processes never
 * hand out the same id; ids of one instance increase, ids of several interleave, and ids an instance
 * held when it stopped are skipped (gaps, never repeats). The first id of a new biz tag is 1.
 *
 * <p>With a prefetch executor, the next segment is fetched in the background once less than 20 %
 * of the current one is left, so callers rarely wait for the database.
 *
 * <p>Thread-safe. Blocking (JDBC) when a segment must be fetched: call it off event loops.
 */
public final class SegmentIdAllocator implements IdGenerator {

    /** Largest step accepted. */
    public static final int MAX_STEP = 1_000_000;

    private static final Logger log = LoggerFactory.getLogger(SegmentIdAllocator.class);

    private final String bizTag;
    private final SegmentTable table;
    private final Executor prefetchExecutor;
    private final ReentrantLock lock = new ReentrantLock();

    private Segment current;
    private CompletableFuture<Segment> prefetched;

    /** An allocator that fetches each segment when the previous one is used up. */
    public SegmentIdAllocator(DataSource dataSource, String bizTag, int step) {
        this(dataSource, bizTag, step, null);
    }

    /**
     * @param bizTag           what the ids are for, 1..64 characters (e.g. {@code uid})
     * @param step             ids per segment for a new row, 1..{@value #MAX_STEP}
     * @param prefetchExecutor runs background fetches of the next segment; null = no prefetch
     */
    public SegmentIdAllocator(DataSource dataSource, String bizTag, int step, Executor prefetchExecutor) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(bizTag, "bizTag");
        if (bizTag.isBlank() || bizTag.length() > 64) {
            throw new IllegalArgumentException("bizTag must be 1..64 characters, got '" + bizTag + "'");
        }
        if (step < 1 || step > MAX_STEP) {
            throw new IllegalArgumentException("segment step for '" + bizTag + "' must be 1.." + MAX_STEP
                    + ", got " + step);
        }
        this.bizTag = bizTag;
        this.table = new SegmentTable(dataSource, bizTag, step);
        this.prefetchExecutor = prefetchExecutor;
    }

    /**
     * @throws IdGenerationException if a segment cannot be fetched (retryable for transient
     *                               database faults)
     */
    @Override
    public long nextId() {
        lock.lock();
        try {
            if (current == null || current.exhausted()) {
                current = nextSegment();
            }
            long id = current.take();
            prefetchIfLow();
            return id;
        } finally {
            lock.unlock();
        }
    }

    private Segment nextSegment() {
        CompletableFuture<Segment> pending = prefetched;
        prefetched = null;
        if (pending != null) {
            try {
                return pending.join();
            } catch (CompletionException e) {
                log.warn("id segment '{}': background fetch failed ({}); fetching now", bizTag,
                        e.getCause().getMessage(), e.getCause());
            }
        }
        return table.next();
    }

    private void prefetchIfLow() {
        if (prefetchExecutor != null && prefetched == null && current.remaining() * 5 < current.size()) {
            prefetched = CompletableFuture.supplyAsync(table::next, prefetchExecutor);
        }
    }

    public String bizTag() {
        return bizTag;
    }
}
