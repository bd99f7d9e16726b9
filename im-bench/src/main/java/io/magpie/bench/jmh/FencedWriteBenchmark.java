package io.magpie.bench.jmh;

import io.magpie.das.ConversationRepository;
import io.magpie.das.ConversationUpdate;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.PartitionFenceRepository;
import io.magpie.das.WriteFence;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The logic writer's fenced transaction for a batch of {@code batch} one-to-one messages on a real MariaDB, two
 * ways: {@code separateStatements} sends the fence check, the message INSERT, the conversation upsert and the
 * commit one after another on a kept session (the writer before 5 Dec 2026), {@code oneScript} is
 * {@link MessageStore#persist(WriteFence, java.util.Collection, MessageStore.Planner)} on the writer's kept session
 * (writes and fence check in one multi-statement round trip, then the commit). Microseconds per transaction,
 * back to back: what a busy writer pays; ids and seqs are counters (no id generation is measured).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class FencedWriteBenchmark {

    private static final int CONVERSATIONS = 1000;
    private static final long FIRST_UID = 3_000_000;
    private static final String TOPIC = "bench.upstream";

    @Param({"1", "50"})
    public int batch;

    private MessageRepository messages;
    private ConversationRepository conversations;
    private PartitionFenceRepository fences;
    private MessageStore store;
    private WriteFence fence;
    private Connection kept;
    private byte[] content;
    private String tag;
    private long counter;
    private final long[] seqs = new long[CONVERSATIONS];
    private final Clock clock = Clock.systemUTC();

    @Setup(Level.Trial)
    public void setUp(BenchDatabase db) throws SQLException {
        messages = new MessageRepository(db.dataSource());
        conversations = new ConversationRepository(db.dataSource(), clock);
        fences = new PartitionFenceRepository(db.dataSource(), clock, Duration.ofSeconds(5), Duration.ofSeconds(10));
        store = new MessageStore(db.dataSource(), messages, conversations, null, fences, db.writerDataSource());
        fence = new WriteFence(TOPIC, Map.of(0, fences.claim(TOPIC, 0, "bench")));
        // no idle bound on it: in the oneScript trial it sits unused
        kept = db.dataSource().getConnection();
        kept.setAutoCommit(false);
        content = MessageContent.newBuilder().setType(MessageType.TEXT).setText("x".repeat(32)).build().toByteArray();
        tag = "f" + Long.toString(System.nanoTime() & 0xFFFFFFL, 36) + "-";
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        kept.rollback();
        kept.close();
    }

    @Benchmark
    public int separateStatements() throws SQLException {
        MessageStore.Writes writes = nextBatch();
        fences.check(kept, fence);
        messages.insertBatch(kept, writes.messages());
        conversations.upsertBatch(kept, writes.rows());
        kept.commit();
        return writes.messages().size();
    }

    @Benchmark
    public int oneScript() {
        MessageStore.Writes writes = nextBatch();
        return store.persist(fence, List.of(), rosters -> writes).messages().size();
    }

    private MessageStore.Writes nextBatch() {
        List<MessageRecord> records = new ArrayList<>(batch);
        List<ConversationUpdate> rows = new ArrayList<>(2 * batch);
        long now = clock.millis();
        for (int i = 0; i < batch; i++) {
            long c = counter++;
            int conversation = (int) (c % CONVERSATIONS);
            long a = FIRST_UID + 2L * conversation;
            long b = a + 1;
            long msgId = 1_000_000_000L + c;
            long seq = ++seqs[conversation];
            String id = ConversationIds.single(a, b);
            records.add(new MessageRecord(msgId, id, ConversationType.SINGLE_VALUE, seq, msgId, a, "bench", tag + c,
                    MessageType.TEXT_VALUE, content, MessageRecord.STATUS_NORMAL, now));
            // one conversation per message in a batch (at most 1,000 per batch): no row repeats
            rows.add(new ConversationUpdate(a, id, ConversationType.SINGLE_VALUE, b, seq, msgId, msgId, seq));
            rows.add(new ConversationUpdate(b, id, ConversationType.SINGLE_VALUE, a, seq, msgId, msgId,
                    ConversationUpdate.KEEP_READ_SEQ));
        }
        return new MessageStore.Writes(records, rows, List.of());
    }
}
