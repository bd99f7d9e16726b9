package io.magpie.logic.internal;

import io.magpie.das.DuplicateMessageException;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.SenderClientKey;
import io.magpie.das.TimelineCache;
import io.magpie.logic.internal.DedupePlan.Fresh;
import io.magpie.logic.internal.DedupePlan.SameAs;
import io.magpie.logic.internal.DedupePlan.Slot;
import io.magpie.logic.internal.DedupePlan.Stored;
import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 for the SENDs of one polled batch: dedupe (one query), authorise (one-to-one: the peer
 * exists; group: the sender is a member, rosters read once per group per batch), assign ids and
 * seqs, persist (one transaction: message rows, conversation rows by write diffusion for one-to-one
 * and small groups, group rows by read diffusion for large ones), append to the hot timeline, and
 * build the push tasks (SEND_ACK, PUSH, ERROR). Returns them only when the batch is durable;
 * otherwise throws {@link BatchRetryException} and the caller replays the batch (dedupe makes the
 * replay answer with the stored ids). Not thread-safe: owned by the upstream consumer's thread, the
 * single writer of its partitions' conversations.
 */
public final class SendBatchProcessor {

    private static final Logger log = LoggerFactory.getLogger(SendBatchProcessor.class);
    /** A stale writer's rows appear at most once per rebalance; more means something else is wrong. */
    private static final int MAX_SEQ_RELOADS = 3;

    private final MessageRepository messages;
    private final RecipientAuthorizer authorizer;
    private final GroupAuthorizer groupAuthorizer;
    private final RosterLoader rosterLoader;
    private final int largeGroupThreshold;
    private final MessageAssigner assigner;
    private final MessageStore store;
    private final TimelineCache timeline;
    private final SlowWriteWarning slowWrites;

    /**
     * @param rosterLoader        reads a group's roster (once per group per batch)
     * @param largeGroupThreshold groups with more members are stored by read diffusion
     */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, TimelineCache timeline,
            SlowWriteWarning slowWrites) {
        this.messages = messages;
        this.authorizer = authorizer;
        this.groupAuthorizer = new GroupAuthorizer();
        this.rosterLoader = rosterLoader;
        this.largeGroupThreshold = largeGroupThreshold;
        this.assigner = assigner;
        this.store = store;
        this.timeline = timeline;
        this.slowWrites = slowWrites;
    }

    /** @return the push tasks of the batch's sends, to publish before the offsets are committed */
    public List<OutgoingPush> process(List<SendCommand> sends) throws BatchRetryException {
        if (sends.isEmpty()) {
            return List.of();
        }
        GroupRosters rosters = new GroupRosters(rosterLoader);
        try {
            return storeWithSeqReload(sends, rosters);
        } catch (BatchRetryException e) {
            if (e.retryable() || sends.size() == 1) {
                throw e;
            }
            log.warn("storing a batch of {} sends failed for good ({}); storing them one by one to find"
                    + " the one at fault", sends.size(), e.getMessage());
            List<OutgoingPush> pushes = new ArrayList<>();
            for (SendCommand send : sends) {
                pushes.addAll(storeAlone(send, rosters));
            }
            return pushes;
        }
    }

    private List<OutgoingPush> storeAlone(SendCommand send, GroupRosters rosters) throws BatchRetryException {
        try {
            return storeWithSeqReload(List.of(send), rosters);
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

    private List<OutgoingPush> storeWithSeqReload(List<SendCommand> sends, GroupRosters rosters)
            throws BatchRetryException {
        for (int attempt = 1; ; attempt++) {
            try {
                return store(sends, rosters);
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

    private List<OutgoingPush> store(List<SendCommand> sends, GroupRosters rosters)
            throws BatchRetryException, DuplicateMessageException {
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
                    Optional<Rejection> refused = f.command().isGroup()
                            ? groupAuthorizer.check(f.command(), rosters) : authorizer.check(f.command());
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
                ConversationUpdates.Plan writes = ConversationUpdates.plan(fresh, rosters::require,
                        largeGroupThreshold);
                store.persist(fresh, writes.rows(), writes.groups());
                slowWrites.check(fresh);
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
        try {
            return pushes(slots, outcome, rosters);
        } catch (RuntimeException e) {
            // a replayed group message needs its roster: MySQL may fail here too
            throw StorageFailures.classify("building the push tasks of a batch of " + sends.size() + " sends", e);
        }
    }

    private static List<OutgoingPush> pushes(List<Slot> slots, Object[] outcome, GroupRosters rosters) {
        List<OutgoingPush> pushes = new ArrayList<>(slots.size() * 2);
        for (int i = 0; i < slots.size(); i++) {
            SendCommand c = commandOf(slots.get(i));
            if (outcome[i] instanceof MessageRecord record) {
                pushes.add(PushTaskFactory.sendAck(c.envelope(), c.clientMsgId(), record));
                if (!(slots.get(i) instanceof SameAs)) {
                    // a replay pushes again: the crash it recovers from may have come before the push
                    pushes.add(push(c, record, rosters));
                }
            } else if (outcome[i] instanceof Rejection r) {
                pushes.add(PushTaskFactory.error(new Rejection(c.envelope(), r.code(), r.message())));
            }
        }
        return pushes;
    }

    private static OutgoingPush push(SendCommand c, MessageRecord record, GroupRosters rosters) {
        if (!c.isGroup()) {
            return PushTaskFactory.push(c.envelope(), record);
        }
        Set<Long> members = rosters.get(c.groupId()).map(GroupRoster::memberUids).orElse(Set.of());
        return PushTaskFactory.groupPush(c.envelope(), record, members);
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
