package io.magpie.bench.jmh;

import io.magpie.idgen.SegmentIdAllocator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Segment ids (uids, group ids) against a real MariaDB: one {@code UPDATE id_segment} transaction per
 * {@code step} ids, the rest from memory; with {@code prefetch} the next segment is fetched in the
 * background before the current one runs out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SegmentIdBenchmark {

    @Param({"100", "1000"})
    int step;

    @Param({"false", "true"})
    boolean prefetch;

    private ExecutorService executor;
    private SegmentIdAllocator ids;

    @Setup
    public void setUp(BenchDatabase db) {
        String tag = "bench_" + step + "_" + prefetch + "_" + Long.toString(System.nanoTime() & 0xFFFFFFL, 36);
        if (prefetch) {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "segment-prefetch");
                t.setDaemon(true);
                return t;
            });
            ids = new SegmentIdAllocator(db.dataSource(), tag, step, executor);
        } else {
            ids = new SegmentIdAllocator(db.dataSource(), tag, step);
        }
    }

    @TearDown
    public void tearDown() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Benchmark
    public long nextId() {
        return ids.nextId();
    }
}
