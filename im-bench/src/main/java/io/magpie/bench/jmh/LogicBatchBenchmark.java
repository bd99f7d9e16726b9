package io.magpie.bench.jmh;

import io.magpie.das.ConversationRepository;
import io.magpie.das.ConversationUpdate;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.SenderClientKey;
import io.magpie.idgen.ConversationSeqAllocator;
import io.magpie.idgen.SnowflakeConfig;
import io.magpie.idgen.SnowflakeIdGenerator;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The logic batch path for 1:1 messages against a real MariaDB, as the upstream consumer runs it for one
 * polled batch (ARCHITECTURE §2 step 5): one dedupe query for the batch's (sender, client msg id) keys,
 * then per new message a snowflake id and the next conversation seq, then ONE transaction with one
 * multi-row message INSERT and one conversation-row upsert. Results are messages per second (each
 * benchmark counts its batch size as operations). Kafka, Redis and the push tasks are not part of it.
 * Messages cycle over 1,000 conversations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class LogicBatchBenchmark {

    private static final int CONVERSATIONS = 1000;
    private static final long FIRST_UID = 1_000_000;

    private MessageRepository messages;
    private MessageStore store;
    private SnowflakeIdGenerator ids;
    private ConversationSeqAllocator seqs;
    private byte[] content;
    private String tag;
    private long counter;
    private final Clock clock = Clock.systemUTC();

    @Setup(Level.Trial)
    public void setUp(BenchDatabase db) {
        messages = new MessageRepository(db.dataSource());
        store = new MessageStore(db.dataSource(), messages, new ConversationRepository(db.dataSource(), clock));
        ids = new SnowflakeIdGenerator(new FixedWorkerIdLease(2), clock, SnowflakeConfig.defaults());
        seqs = new ConversationSeqAllocator(messages::maxSeq);
        content = MessageContent.newBuilder().setType(MessageType.TEXT).setText("x".repeat(32)).build().toByteArray();
        tag = "j" + Long.toString(System.nanoTime() & 0xFFFFFFL, 36) + "-";
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public int batchOf1() {
        return processBatch(1);
    }

    @Benchmark
    @OperationsPerInvocation(50)
    public int batchOf50() {
        return processBatch(50);
    }

    @Benchmark
    @OperationsPerInvocation(500)
    public int batchOf500() {
        return processBatch(500);
    }

    private record Send(long sender, long peer, String conversationId, String clientMsgId) {
        SenderClientKey key() {
            return new SenderClientKey(sender, clientMsgId);
        }
    }

    private int processBatch(int size) {
        List<Send> sends = new ArrayList<>(size);
        Set<SenderClientKey> keys = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            long c = counter++;
            long a = FIRST_UID + 2 * (c % CONVERSATIONS);
            long b = a + 1;
            long sender = (c / CONVERSATIONS) % 2 == 0 ? a : b;
            Send s = new Send(sender, sender == a ? b : a, ConversationIds.single(a, b), tag + c);
            sends.add(s);
            keys.add(s.key());
        }
        Map<SenderClientKey, MessageRecord> stored = messages.findByClientMsgIds(keys);
        List<MessageRecord> fresh = new ArrayList<>(size);
        long now = clock.millis();
        for (Send s : sends) {
            if (stored.containsKey(s.key())) {
                continue;
            }
            long msgId = ids.nextId();
            fresh.add(new MessageRecord(msgId, s.conversationId(), ConversationType.SINGLE_VALUE,
                    seqs.next(s.conversationId()), msgId, s.sender(), "bench", s.clientMsgId(), MessageType.TEXT_VALUE,
                    content, MessageRecord.STATUS_NORMAL, now));
        }
        store.persist(fresh, conversationUpdates(fresh));
        return fresh.size();
    }

    /** Two rows per message (sender read up to it, peer's read position kept), merged per owner+conversation. */
    private static List<ConversationUpdate> conversationUpdates(List<MessageRecord> records) {
        Map<String, ConversationUpdate> rows = new LinkedHashMap<>();
        for (MessageRecord r : records) {
            long peer = ConversationIds.peerOf(r.conversationId(), r.senderUid());
            rows.put(r.senderUid() + "/" + r.conversationId(), new ConversationUpdate(r.senderUid(), r.conversationId(),
                    r.conversationType(), peer, r.seq(), r.msgId(), r.msgId(), r.seq()));
            rows.merge(peer + "/" + r.conversationId(), new ConversationUpdate(peer, r.conversationId(),
                    r.conversationType(), r.senderUid(), r.seq(), r.msgId(), r.msgId(), ConversationUpdate.KEEP_READ_SEQ),
                    (old, neu) -> new ConversationUpdate(peer, r.conversationId(), r.conversationType(), r.senderUid(),
                            r.seq(), r.msgId(), r.msgId(), old.readSeq()));
        }
        return new ArrayList<>(rows.values());
    }
}
