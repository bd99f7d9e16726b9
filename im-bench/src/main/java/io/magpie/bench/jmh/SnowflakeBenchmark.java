package io.magpie.bench.jmh;

import io.magpie.idgen.SnowflakeConfig;
import io.magpie.idgen.SnowflakeIdGenerator;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snowflake message ids from one shared generator with a fixed worker id: one thread, and two threads
 * contending for its lock. The format allows 4,096 ids per millisecond (4.1 M/s); a generator at that
 * ceiling waits for the next millisecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SnowflakeBenchmark {

    private SnowflakeIdGenerator ids;

    @Setup
    public void setUp() {
        ids = new SnowflakeIdGenerator(new FixedWorkerIdLease(1), Clock.systemUTC(), SnowflakeConfig.defaults());
    }

    @Benchmark
    @Threads(1)
    public long nextId() {
        return ids.nextId();
    }

    @Benchmark
    @Threads(2)
    public long nextIdTwoThreads() {
        return ids.nextId();
    }
}
