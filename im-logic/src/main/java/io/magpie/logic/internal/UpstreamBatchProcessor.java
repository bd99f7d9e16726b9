package io.magpie.logic.internal;

import io.magpie.logic.internal.UpstreamParser.Action;
import io.magpie.logic.internal.UpstreamParser.Admin;
import io.magpie.logic.internal.UpstreamParser.GroupOp;
import io.magpie.logic.internal.UpstreamParser.Parsed;
import io.magpie.logic.internal.UpstreamParser.Query;
import io.magpie.logic.internal.UpstreamParser.Refused;
import io.magpie.logic.internal.UpstreamParser.Send;
import io.magpie.logic.internal.UpstreamParser.Signal;
import io.magpie.logic.internal.UpstreamParser.Unanswerable;
import io.magpie.protocol.EpochMicros;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.registry.StorageException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 for one polled batch of {@code upstream} records: parses them, stores the SENDs through
 * {@link SendBatchProcessor}, then applies the READs ({@link ReadProcessor}), RECALLs
 * ({@link RecallProcessor}), DELETEs and CLEARs ({@link OwnHistoryProcessor}), answers refused requests with ERRORs
 * (GROUP changes and the operator's ADMIN_OPs are applied in record order with the rest), and hands those push
 * tasks to the producer; Kafka's acks are returned for the caller to wait on, so the next batch can be stored
 * meanwhile. SYNC and PULL are not answered here: they are handed back for the
 * {@link QueryStage}, which answers a bounded number after each batch so reads never hold up writes
 * (those that do not fit the backlog are answered SERVER_BUSY at once). Returns normally only when
 * the write work is done and the push tasks are sent; otherwise throws {@link BatchRetryException} and the
 * caller replays the batch. Not thread-safe: the upstream consumer's thread.
 */
public final class UpstreamBatchProcessor {

    private static final Logger log = LoggerFactory.getLogger(UpstreamBatchProcessor.class);

    private final UpstreamParser parser;
    private final SendBatchProcessor sends;
    private final ReadProcessor reads;
    private final RecallProcessor recalls;
    private final MessageChangeProcessor changes;
    private final OwnHistoryProcessor history;
    private final PushTaskPublisher publisher;
    private final SignalProcessor signals;
    private final GroupOpProcessor groupOps;
    /** Applies ADMIN_OP; null = they are logged and dropped. */
    private final AdminOpProcessor adminOps;
    /** Stamps the hops of traced SENDs; null = push tasks leave without a trace. */
    private final Clock clock;

    /** Serving neither presence and typing nor GROUP: those are answered NOT_SUPPORTED, presence events dropped. */
    public UpstreamBatchProcessor(UpstreamParser parser, SendBatchProcessor sends, ReadProcessor reads,
            RecallProcessor recalls, OwnHistoryProcessor history, PushTaskPublisher publisher) {
        this(parser, sends, reads, recalls, history, publisher, null, null);
    }

    /**
     * @param signals presence and typing ({@link SignalProcessor}); null = not served
     * @param groupOps applies GROUP requests; null = they are answered NOT_SUPPORTED
     */
    public UpstreamBatchProcessor(UpstreamParser parser, SendBatchProcessor sends, ReadProcessor reads,
            RecallProcessor recalls, OwnHistoryProcessor history, PushTaskPublisher publisher,
            SignalProcessor signals, GroupOpProcessor groupOps) {
        this(parser, sends, reads, recalls, history, publisher, signals, groupOps, null);
    }

    /** @param clock stamps when a batch was polled and its SENDs stored, for their push tasks' hop traces */
    public UpstreamBatchProcessor(UpstreamParser parser, SendBatchProcessor sends, ReadProcessor reads,
            RecallProcessor recalls, OwnHistoryProcessor history, PushTaskPublisher publisher,
            SignalProcessor signals, GroupOpProcessor groupOps, Clock clock) {
        this(parser, sends, reads, recalls, history, publisher, signals, groupOps, clock, null, null);
    }

    /**
     * @param changes  REACTs and EDITs; null = refused as NOT_SUPPORTED
     * @param adminOps applies the operator's writes (ADMIN_OP); null = they are logged and dropped
     */
    public UpstreamBatchProcessor(UpstreamParser parser, SendBatchProcessor sends, ReadProcessor reads,
            RecallProcessor recalls, OwnHistoryProcessor history, PushTaskPublisher publisher,
            SignalProcessor signals, GroupOpProcessor groupOps, Clock clock, MessageChangeProcessor changes,
            AdminOpProcessor adminOps) {
        this.changes = changes;
        this.adminOps = adminOps;
        this.clock = clock;
        this.signals = signals;
        this.groupOps = groupOps;
        this.parser = parser;
        this.sends = sends;
        this.reads = reads;
        this.recalls = recalls;
        this.history = history;
        this.publisher = publisher;
    }

    /**
     * What a processed batch leaves to its caller.
     *
     * @param queries the batch's queries to queue (at most the room given), in record order
     * @param acks    Kafka's acknowledgements of the batch's push tasks: the batch is done once they came
     */
    public record Outcome(List<PendingQuery> queries, PushTaskPublisher.Acks acks) {
    }

    /** @param queryRoom how many queries the backlog can take now */
    public Outcome process(List<ConsumerRecord<String, byte[]>> records, int queryRoom)
            throws BatchRetryException {
        long polledUs = clock == null ? 0 : EpochMicros.now(clock);
        List<OutgoingPush> pushes = new ArrayList<>();
        List<SendCommand> commands = new ArrayList<>();
        List<PendingQuery> queries = new ArrayList<>();
        List<ActionCommand.Read> readCommands = new ArrayList<>();
        List<ActionCommand> oneByOne = new ArrayList<>();
        List<UpstreamEnvelope> transients = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Parsed parsed = parser.parse(r.value());
            if (parsed instanceof Send s) {
                commands.add(s.command().fromPartition(r.partition())); // its partition's fence guards the write
            } else if (parsed instanceof Query q) {
                if (queries.size() < queryRoom) {
                    queries.add(new PendingQuery(new TopicPartition(r.topic(), r.partition()), r.offset(), q.query()));
                } else {
                    pushes.add(PushTaskFactory.error(new Rejection(q.query().envelope(), ErrorCode.SERVER_BUSY,
                            "too many SYNC/PULL requests are waiting on this server; send it again later")));
                }
            } else if (parsed instanceof Action a) {
                if (a.action() instanceof ActionCommand.Read read) {
                    readCommands.add(read);
                } else {
                    oneByOne.add(a.action());
                }
            } else if (parsed instanceof Signal s) {
                if (signals != null) {
                    transients.add(s.envelope());
                } else if (!SignalProcessor.isEvent(s.envelope())) {
                    pushes.add(PushTaskFactory.error(new Rejection(s.envelope(), ErrorCode.NOT_SUPPORTED,
                            "presence and typing are not served by this server")));
                }
            } else if (parsed instanceof GroupOp g) {
                if (groupOps == null) {
                    pushes.add(PushTaskFactory.error(new Rejection(g.command().envelope(), ErrorCode.NOT_SUPPORTED,
                            "GROUP is not served by this server")));
                    continue;
                }
                // in record order with what came before it: a send, READ, RECALL or TYPING before a kick or a
                // demotion is judged by the group as it was, one after it by the group as it is
                pushes.addAll(sends.process(commands));
                commands = new ArrayList<>();
                pushes.addAll(applyActions(readCommands, oneByOne));
                readCommands = new ArrayList<>();
                oneByOne = new ArrayList<>();
                if (!transients.isEmpty()) {
                    pushes.addAll(signals.process(transients));
                    transients = new ArrayList<>();
                }
                pushes.addAll(groupOps.process(g.command().fromPartition(r.partition())));
            } else if (parsed instanceof Admin a) {
                if (adminOps == null) {
                    log.error("[upstream {}-{}@{}] ADMIN_OP dropped: this server does not serve operator writes",
                            r.topic(), r.partition(), r.offset());
                    continue;
                }
                // like a GROUP change: in record order with the conversation's other writes
                pushes.addAll(sends.process(commands));
                commands = new ArrayList<>();
                pushes.addAll(applyActions(readCommands, oneByOne));
                readCommands = new ArrayList<>();
                oneByOne = new ArrayList<>();
                if (!transients.isEmpty()) {
                    pushes.addAll(signals.process(transients));
                    transients = new ArrayList<>();
                }
                pushes.addAll(adminOps.process(a.command(), r.partition()));
            } else if (parsed instanceof Refused f) {
                pushes.add(PushTaskFactory.error(f.rejection()));
            } else if (parsed instanceof Unanswerable u) {
                log.error("[upstream {}-{}@{}] record dropped, nobody to answer: {}", r.topic(), r.partition(),
                        r.offset(), u.reason());
            }
        }
        pushes.addAll(sends.process(commands));
        long storedUs = clock == null ? 0 : EpochMicros.now(clock);
        // after the sends: a READ or RECALL of a message sent in the same batch finds it stored
        pushes.addAll(applyActions(readCommands, oneByOne));
        if (!transients.isEmpty()) {
            pushes.addAll(signals.process(transients));
        }
        PushTaskPublisher.Acks acks = publisher.send(pushes, clock == null ? PushTaskPublisher.BatchStamps.NONE
                : new PushTaskPublisher.BatchStamps(polledUs, storedUs));
        return new Outcome(queries, acks);
    }

    /** READs together, then RECALL, DELETE and CLEAR one by one in record order. */
    private List<OutgoingPush> applyActions(List<ActionCommand.Read> readCommands, List<ActionCommand> oneByOne)
            throws BatchRetryException {
        try {
            List<OutgoingPush> out = new ArrayList<>(reads.process(readCommands));
            for (ActionCommand c : oneByOne) {
                if (c instanceof ActionCommand.Recall r) {
                    out.addAll(recalls.process(List.of(r)));
                } else if (c instanceof ActionCommand.React || c instanceof ActionCommand.Edit) {
                    out.addAll(changes != null ? changes.process(c) : List.of(PushTaskFactory.error(new Rejection(
                            c.envelope(), ErrorCode.NOT_SUPPORTED, "REACT and EDIT are not served by this server"))));
                } else {
                    out.addAll(history.process(c));
                }
            }
            return out;
        } catch (StorageException e) {
            throw new BatchRetryException("READ/RECALL/DELETE/CLEAR of the batch could not be written: " + e.getMessage(), e.retryable(), e);
        }
    }
}
