package io.magpie.logic.internal;

import io.magpie.das.DuplicateMessageException;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.SenderClientKey;
import io.magpie.das.TimelineCache;
import io.magpie.logic.internal.DedupePlan.Fresh;
import io.magpie.logic.internal.DedupePlan.SameAs;
import io.magpie.logic.internal.DedupePlan.Slot;
import io.magpie.logic.internal.DedupePlan.Stored;
import io.magpie.logic.internal.SendRequestParser.Accepted;
import io.magpie.logic.internal.SendRequestParser.Parsed;
import io.magpie.logic.internal.SendRequestParser.Refused;
import io.magpie.logic.internal.SendRequestParser.Unanswerable;
import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 for one polled batch of {@code upstream} records: parse, dedupe (one query), authorise,
 * assign ids and seqs, persist (one transaction), append to the hot timeline, then produce the push
 * tasks and wait for Kafka's acks. Returns normally only when all of that is done, so the caller may
 * commit the offsets; otherwise throws {@link BatchRetryException} and the caller replays the batch
 * (dedupe makes the replay answer with the stored ids). Not thread-safe: owned by the upstream
 * consumer's thread, the single writer of its partitions' conversations.
 */
public final class SendBatchProcessor {

    private static final Logger log = LoggerFactory.getLogger(SendBatchProcessor.class);
    /** A stale writer's rows appear at most once per rebalance; more means something else is wrong. */
    private static final int MAX_SEQ_RELOADS = 3;

    private final SendRequestParser parser;
    private final MessageRepository messages;
    private final RecipientAuthorizer authorizer;
    private final MessageAssigner assigner;
    private final MessageStore store;
    private final TimelineCache timeline;
    private final PushTaskPublisher publisher;

    public SendBatchProcessor(SendRequestParser parser, MessageRepository messages,
            RecipientAuthorizer authorizer, MessageAssigner assigner, MessageStore store, TimelineCache timeline,
            PushTaskPublisher publisher) {
        this.parser = parser;
        this.messages = messages;
        this.authorizer = authorizer;
        this.assigner = assigner;
        this.store = store;
        this.timeline = timeline;
        this.publisher = publisher;
    }

    public void process(List<ConsumerRecord<String, byte[]>> records) throws BatchRetryException {
        List<OutgoingPush> pushes = new ArrayList<>();
        List<SendCommand> sends = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Parsed parsed = parser.parse(r.value());
            if (parsed instanceof Accepted a) {
                sends.add(a.command());
            } else if (parsed instanceof Refused f) {
                pushes.add(PushTaskFactory.error(f.rejection()));
            } else if (parsed instanceof Unanswerable u) {
                log.error("[upstream {}-{}@{}] record dropped, nobody to answer: {}", r.topic(), r.partition(),
                        r.offset(), u.reason());
            }
        }
        if (!sends.isEmpty()) {
            try {
                pushes.addAll(storeWithSeqReload(sends));
            } catch (BatchRetryException e) {
                if (e.retryable() || sends.size() == 1) {
                    throw e;
                }
                log.warn("storing a batch of {} sends failed for good ({}); storing them one by one to find"
                        + " the one at fault", sends.size(), e.getMessage());
                for (SendCommand send : sends) {
                    pushes.addAll(storeAlone(send));
                }
            }
        }
        publisher.publishAll(pushes);
    }

    private List<OutgoingPush> storeAlone(SendCommand send) throws BatchRetryException {
        try {
            return storeWithSeqReload(List.of(send));
        } catch (BatchRetryException e) {
            if (e.retryable()) {
                throw e;
            }
            log.error("[uid {}, device {}, conversation {}] message {} cannot be stored and is dropped; the sender"
                            + " gets an ERROR", send.senderUid(), send.envelope().getDeviceId(), send.conversationId(),
                    send.clientMsgId(), e);
            return List.of(PushTaskFactory.error(new Rejection(send.envelope(), ErrorCode.INTERNAL,
                    "the server could not store this message; it was not sent")));
        }
    }

    private List<OutgoingPush> storeWithSeqReload(List<SendCommand> sends) throws BatchRetryException {
        for (int attempt = 1; ; attempt++) {
            try {
                return store(sends);
            } catch (DuplicateMessageException e) {
                if (attempt >= MAX_SEQ_RELOADS) {
                    throw new BatchRetryException("the batch collided with stored rows " + attempt
                            + " times in a row: " + e.getMessage(), true, e);
                }
                log.warn("{}; another writer stored rows of these conversations (a partition moved), reloading"
                        + " seqs from MySQL and processing the batch again", e.getMessage());
            }
        }
    }

    private List<OutgoingPush> store(List<SendCommand> sends) throws BatchRetryException, DuplicateMessageException {
        Map<SenderClientKey, MessageRecord> stored = lookup(sends);
        DedupePlan plan = DedupePlan.of(sends, stored);
        List<Slot> slots = plan.slots();
        Object[] outcome = new Object[slots.size()];
        List<MessageRecord> fresh = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        try {
            for (int i = 0; i < slots.size(); i++) {
                Slot slot = slots.get(i);
                if (slot instanceof Stored s) {
                    outcome[i] = s.record();
                } else if (slot instanceof SameAs same) {
                    outcome[i] = outcome[same.firstIndex()];
                } else if (slot instanceof Fresh f) {
                    Optional<Rejection> refused = authorizer.check(f.command());
                    if (refused.isPresent()) {
                        outcome[i] = refused.get();
                    } else {
                        touched.add(f.command().conversationId());
                        MessageRecord record = assign(f.command(), touched);
                        fresh.add(record);
                        outcome[i] = record;
                    }
                }
            }
            if (!fresh.isEmpty()) {
                store.persist(fresh, ConversationUpdates.of(fresh));
            }
        } catch (DuplicateMessageException e) {
            assigner.rollback(touched);
            throw e;
        } catch (RuntimeException e) {
            assigner.rollback(touched);
            throw StorageFailures.classify("storing " + fresh.size() + " new messages of a batch of " + sends.size(), e);
        }
        if (!fresh.isEmpty()) {
            appendToTimeline(fresh);
        }
        List<OutgoingPush> pushes = new ArrayList<>(slots.size() * 2);
        for (int i = 0; i < slots.size(); i++) {
            SendCommand c = commandOf(slots.get(i));
            if (outcome[i] instanceof MessageRecord record) {
                pushes.add(PushTaskFactory.sendAck(c.envelope(), c.clientMsgId(), record));
                if (!(slots.get(i) instanceof SameAs)) {
                    // a replay pushes again: the crash it recovers from may have come before the push
                    pushes.add(PushTaskFactory.push(c.envelope(), record));
                }
            } else if (outcome[i] instanceof Rejection r) {
                pushes.add(PushTaskFactory.error(new Rejection(c.envelope(), r.code(), r.message())));
            }
        }
        return pushes;
    }

    private MessageRecord assign(SendCommand c, Set<String> touched) throws BatchRetryException {
        try {
            return assigner.assign(c);
        } catch (RuntimeException e) {
            // a lost worker-id lease or a clock step back passes; MySQL seq loading is retried too
            assigner.rollback(touched);
            throw new BatchRetryException("[conversation " + c.conversationId() + "] assigning a message id and seq"
                    + " failed (" + e + "); the batch will be retried", true, e);
        }
    }

    private Map<SenderClientKey, MessageRecord> lookup(List<SendCommand> sends) throws BatchRetryException {
        Set<SenderClientKey> keys = new LinkedHashSet<>();
        for (SendCommand c : sends) {
            keys.add(c.key());
        }
        try {
            return messages.findByClientMsgIds(keys);
        } catch (RuntimeException e) {
            throw StorageFailures.classify("looking up " + keys.size() + " client message ids", e);
        }
    }

    /**
     * Not awaited: Redis is a cache of MySQL, readers treat a gap as a miss and read MySQL, so a
     * failure here costs a slower read, never a message.
     */
    private void appendToTimeline(List<MessageRecord> fresh) {
        try {
            timeline.appendBatch(fresh).whenComplete((v, e) -> {
                if (e != null) {
                    logTimelineFailure(fresh, e);
                }
            });
        } catch (RuntimeException e) {
            logTimelineFailure(fresh, e);
        }
    }

    private static void logTimelineFailure(List<MessageRecord> fresh, Throwable e) {
        log.warn("[conversation {}] appending {} messages (of {} conversations) to the Redis timeline failed;"
                        + " readers will use MySQL", fresh.get(0).conversationId(), fresh.size(),
                fresh.stream().map(MessageRecord::conversationId).distinct().count(), e);
    }

    private static SendCommand commandOf(Slot slot) {
        if (slot instanceof Fresh f) {
            return f.command();
        } else if (slot instanceof Stored s) {
            return s.command();
        }
        return ((SameAs) slot).command();
    }
}
