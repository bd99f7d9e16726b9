package io.magpie.bench.jmh;

import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.ConversationRepository;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.PartitionFenceRepository;
import io.magpie.das.Relations;
import io.magpie.das.Relations.DirectPair;
import io.magpie.das.SenderClientKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reads the logic writer makes for a batch of {@code batch} new one-to-one SENDs before its transaction, on a
 * real MariaDB, two ways: {@code twoQueries} asks the dedupe ({@link MessageRepository#findByClientMsgIds}) and the
 * blocks and direct message policies ({@link Relations#directRefusals}) one after the other on pooled sessions (the
 * writer until 5 Dec 2026), {@code oneRoundTrip} is {@link MessageStore#lookup} on the writer's kept session (both
 * and a COMMIT in one multi-statement query). Every key is new (nothing stored matches, as for a fresh SEND) and
 * every recipient an account with no block. Microseconds per batch, back to back.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SendLookupBenchmark {

    private static final int USERS = 1000;
    private static final long FIRST_UID = 4_000_000;

    @Param({"1", "50"})
    public int batch;

    private MessageRepository messages;
    private Relations relations;
    private MessageStore store;
    private String tag;
    private long counter;

    @Setup(Level.Trial)
    public void setUp(BenchDatabase db) {
        Clock clock = Clock.systemUTC();
        messages = new MessageRepository(db.dataSource());
        relations = new Relations(db.dataSource());
        PartitionFenceRepository fences = new PartitionFenceRepository(db.dataSource(), clock, Duration.ofSeconds(5),
                Duration.ofSeconds(10));
        store = new MessageStore(db.dataSource(), messages, new ConversationRepository(db.dataSource(), clock), null,
                fences, db.writerDataSource());
        AccountRepository accounts = new AccountRepository(db.dataSource());
        for (int i = 0; i < USERS; i++) {
            accounts.create(new Account(FIRST_UID + i, "lookup-" + (FIRST_UID + i), "h", "", 1));
        }
        tag = "l" + Long.toString(System.nanoTime() & 0xFFFFFFL, 36) + "-";
    }

    @Benchmark
    public int twoQueries() {
        Batch b = nextBatch();
        return messages.findByClientMsgIds(b.keys()).size() + relations.directRefusals(b.pairs()).size();
    }

    @Benchmark
    public int oneRoundTrip() {
        Batch b = nextBatch();
        MessageStore.Lookup read = store.lookup(b.keys(), b.pairs());
        return read.stored().size() + read.refusals().size();
    }

    private record Batch(List<SenderClientKey> keys, List<DirectPair> pairs) {
    }

    private Batch nextBatch() {
        List<SenderClientKey> keys = new ArrayList<>(batch);
        List<DirectPair> pairs = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            long c = counter++;
            long sender = FIRST_UID + c % USERS;
            long recipient = FIRST_UID + (c + 1) % USERS;
            keys.add(new SenderClientKey(sender, tag + c));
            pairs.add(new DirectPair(sender, recipient));
        }
        return new Batch(keys, pairs);
    }
}
