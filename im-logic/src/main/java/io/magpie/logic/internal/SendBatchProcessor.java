package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.das.DuplicateMessageException;
import io.magpie.das.FencedWriteException;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.Relations.DirectPair;
import io.magpie.das.ReplyLink;
import io.magpie.das.SenderClientKey;
import io.magpie.das.WriteFence;
import io.magpie.logic.internal.DedupePlan.Conflict;
import io.magpie.logic.internal.DedupePlan.Fresh;
import io.magpie.logic.internal.DedupePlan.SameAs;
import io.magpie.logic.internal.DedupePlan.Slot;
import io.magpie.logic.internal.DedupePlan.Stored;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Objects;

/**
 * Step 5 for the SENDs of one polled batch: dedupe (one query; a dedupe hit is answered from the
 * stored record, and only if the SEND names that record's conversation, otherwise it is refused with
 * {@code CLIENT_MSG_ID_REUSED}), authorise (any: the sender is not muted by an operator, {@link SenderMutes};
 * one-to-one: the peer exists, did not block the sender and,
 * under a friends-only policy, is their friend, read in one query per batch that goes in the dedupe's round
 * trip, {@link MessageStore#lookup}; group: the sender is a
 * member, not muted; group messages are not filtered by blocks; a reply's quoted message is read and filled in,
 * {@link ReplyResolver}, one query per conversation with replies and none without; a group message's mentions are
 * checked against the locked roster, {@link Mentions}), assign ids and seqs, persist, and build the push tasks
 * (SEND_ACK, PUSH, ERROR). The write is one fenced transaction ({@link MessageStore#persist(WriteFence,
 * java.util.Collection, MessageStore.Planner)}): it proves this instance still owns the SENDs'
 * partitions, locks the groups' rows, and authorises, numbers and fans out group messages from the
 * rosters read under those locks, so a member who joins is either in the roster of a message or
 * joined after its seq. Returns the push tasks only when the batch is durable; otherwise throws
 * {@link BatchRetryException} and the caller replays the batch (dedupe makes the replay answer with
 * the stored ids). SENDs of partitions another instance claimed since are left unanswered for that
 * owner. Not thread-safe: owned by the upstream consumer's thread, the single writer of its
 * partitions' conversations.
 */
public final class SendBatchProcessor {

    private static final Logger log = LoggerFactory.getLogger(SendBatchProcessor.class);
    /** A stale writer's rows appear at most once per rebalance; more means something else is wrong. */
    private static final int MAX_SEQ_RELOADS = 3;

    private final ReplyResolver replies;
    private final RecipientAuthorizer authorizer;
    private final GroupAuthorizer groupAuthorizer;
    private final RosterLoader rosterLoader;
    private final int largeGroupThreshold;
    private final MessageAssigner assigner;
    private final MessageStore store;
    private final SlowWriteWarning slowWrites;
    private final PartitionFences fences;
    private final LogicMetrics metrics;
    private final SendLimiter limiter;
    private final SenderMutes mutes;
    private final SendHooks hooks;

    /** A processor whose writes are not fenced (every SEND is taken as this instance's to write). */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites) {
        this(messages, authorizer, rosterLoader, largeGroupThreshold, assigner, store, slowWrites, null);
    }

    /**
     * @param rosterLoader        reads a group's roster for replayed group messages (once per group per batch)
     * @param largeGroupThreshold groups with more members are stored by read diffusion
     * @param fences              this instance's partition epochs; null = writes are not fenced
     */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites,
            PartitionFences fences) {
        this(messages, authorizer, rosterLoader, largeGroupThreshold, assigner, store, slowWrites, fences,
                Clock.systemUTC());
    }

    /** @param clock tells whether a group member's mute has ended */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites,
            PartitionFences fences, Clock clock) {
        this(messages, authorizer, rosterLoader, largeGroupThreshold, assigner, store, slowWrites, fences, clock,
                LogicMetrics.none());
    }

    /** @param metrics times the batch's transaction, counts SENDs received and stored */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites,
            PartitionFences fences, Clock clock, LogicMetrics metrics) {
        this(messages, authorizer, rosterLoader, largeGroupThreshold, assigner, store, slowWrites, fences, clock,
                metrics, SenderMutes.none(), SendLimiter.NONE);
    }

    /** @param mutes refuses the SENDs of senders an operator muted (ERROR MUTED), before any other check */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites,
            PartitionFences fences, Clock clock, LogicMetrics metrics, SenderMutes mutes) {
        this(messages, authorizer, rosterLoader, largeGroupThreshold, assigner, store, slowWrites, fences, clock,
                metrics, mutes, SendLimiter.NONE);
    }

    /** @param limiter the senders' message budgets across the cluster; new messages only (a replay is free) */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites,
            PartitionFences fences, Clock clock, LogicMetrics metrics, SenderMutes mutes, SendLimiter limiter) {
        this(messages, authorizer, rosterLoader, largeGroupThreshold, assigner, store, slowWrites, fences, clock,
                metrics, mutes, limiter, SendHooks.NONE);
    }

    /** @param hooks the operator's before-send hooks, asked once per batch about its new messages */
    public SendBatchProcessor(MessageRepository messages, RecipientAuthorizer authorizer, RosterLoader rosterLoader,
            int largeGroupThreshold, MessageAssigner assigner, MessageStore store, SlowWriteWarning slowWrites,
            PartitionFences fences, Clock clock, LogicMetrics metrics, SenderMutes mutes, SendLimiter limiter,
            SendHooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.mutes = Objects.requireNonNull(mutes, "mutes");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.replies = new ReplyResolver(messages);
        this.authorizer = authorizer;
        this.groupAuthorizer = new GroupAuthorizer(clock);
        this.rosterLoader = rosterLoader;
        this.largeGroupThreshold = largeGroupThreshold;
        this.assigner = assigner;
        this.store = store;
        this.slowWrites = slowWrites;
        this.fences = fences;
    }

    /** @return the push tasks of the batch's sends, to publish before the offsets are committed */
    public List<OutgoingPush> process(List<SendCommand> sends) throws BatchRetryException {
        if (sends.isEmpty()) {
            return List.of();
        }
        metrics.sendsReceived(sends.size());
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
            LogIdentity.sender(log.atError(), send.senderUid(), send.envelope().getDeviceId(), send.conversationId())
                    .log("[uid {}, device {}, conversation {}] message {} cannot be stored and is dropped; the sender"
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
                return store(owned(sends), rosters);
            } catch (FencedWriteException e) {
                // another instance owns these partitions now: drop their sends, store the rest
                fences.fencedOut(e.partitions());
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

    /** The sends this instance may still write: those of partitions no other instance claimed since. */
    private List<SendCommand> owned(List<SendCommand> sends) {
        if (fences == null) {
            return sends;
        }
        List<SendCommand> owned = new ArrayList<>(sends.size());
        for (SendCommand c : sends) {
            if (c.partition() == SendCommand.NO_PARTITION || !fences.isFencedOut(c.partition())) {
                owned.add(c);
            }
        }
        if (owned.size() < sends.size()) {
            log.info("{} of {} sends belong to partitions another instance claimed; they are left to it",
                    sends.size() - owned.size(), sends.size());
        }
        return owned;
    }

    private List<OutgoingPush> store(List<SendCommand> sends, GroupRosters rosters)
            throws BatchRetryException, DuplicateMessageException, FencedWriteException {
        if (sends.isEmpty()) {
            return List.of();
        }
        Set<DirectPair> pairs = RecipientAuthorizer.pairsOf(sends);
        MessageStore.Lookup read = lookup(sends, pairs);
        // every one-to-one pair of the batch was read with its dedupe, replays' too: one round trip for both
        authorizer.prepare(pairs, read.refusals());
        List<Slot> planned = DedupePlan.of(sends, read.stored()).slots();
        Object[] outcome = new Object[planned.size()];
        List<Integer> toWrite = new ArrayList<>();
        Set<Long> groups = new TreeSet<>();
        // every answer of the batch, a replay's SEND_ACK included, needs the fence: a stale owner answers nothing
        Set<Integer> partitions = new TreeSet<>();
        for (SendCommand c : sends) {
            if (c.partition() != SendCommand.NO_PARTITION) {
                partitions.add(c.partition());
            }
        }
        limit(planned, outcome);
        // replies only: a batch without reply_to reads nothing more
        List<Slot> slots = replies.resolve(planned, outcome);
        slots = hooks.review(slots, outcome);
        prepareChecks(slots);
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            if (outcome[i] != null) {
                continue;
            }
            if (slot instanceof Stored s) {
                outcome[i] = s.record();
            } else if (slot instanceof Conflict c) {
                outcome[i] = reused(c);
            } else if (slot instanceof Fresh f) {
                SendCommand c = f.command();
                Optional<Rejection> refused = checkSender(c);
                if (refused.isEmpty() && !c.isGroup()) {
                    refused = checkPeer(c);
                }
                if (refused.isEmpty() && c.isGroup() && c.request().getContent().getMentionAll()) {
                    refused = checkMentionAll(c, rosters);
                }
                if (refused.isPresent()) {
                    outcome[i] = refused.get();
                    continue;
                }
                if (c.isGroup()) {
                    groups.add(c.groupId());
                }
                toWrite.add(i);
            }
        }
        Map<Long, GroupRoster> locked = new HashMap<>();
        boolean fenced = fences != null && !partitions.isEmpty();
        List<MessageRecord> fresh = toWrite.isEmpty() && !fenced ? List.of()
                : write(slots, toWrite, groups, partitions, outcome, locked, sends.size());
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) instanceof SameAs same) {
                outcome[i] = outcome[same.firstIndex()];
            }
        }
        try {
            return pushes(slots, outcome, locked, rosters);
        } catch (RuntimeException e) {
            // a replayed group message needs its roster: MySQL may fail here too
            throw StorageFailures.classify("building the push tasks of a batch of " + sends.size() + " sends", e);
        }
    }

    /** The one transaction of the batch; fills {@code outcome} and {@code locked}, returns the new rows. */
    private List<MessageRecord> write(List<Slot> slots, List<Integer> toWrite, Set<Long> groups,
            Set<Integer> partitions, Object[] outcome, Map<Long, GroupRoster> locked, int batchSize)
            throws BatchRetryException, DuplicateMessageException, FencedWriteException {
        Set<String> touched = new LinkedHashSet<>();
        List<MessageRecord> fresh = new ArrayList<>();
        List<ReplyLink> links = new ArrayList<>();
        Map<Long, Set<Long>> mentioned = new HashMap<>();
        long start = System.nanoTime();
        boolean committed = false;
        try {
            WriteFence fence = fences == null || partitions.isEmpty() ? WriteFence.NONE : fences.fenceFor(partitions);
            store.persist(fence, groups, rosters -> {
                // the planner may run again after a failed attempt: start from nothing
                fresh.clear();
                links.clear();
                mentioned.clear();
                locked.clear();
                locked.putAll(rosters);
                for (int i : toWrite) {
                    SendCommand c = slots.get(i).command();
                    if (c.isGroup()) {
                        GroupRoster roster = rosters.get(c.groupId());
                        Optional<Rejection> refused = groupAuthorizer.check(c, Optional.ofNullable(roster));
                        if (refused.isEmpty() && roster != null) {
                            refused = Optional.ofNullable(ReplyResolver.hiddenFrom(c,
                                    roster.joinSeqs().getOrDefault(c.senderUid(), 0L)));
                        }
                        if (refused.isEmpty() && roster != null) {
                            refused = Optional.ofNullable(Mentions.check(c, roster));
                        }
                        if (refused.isPresent()) {
                            outcome[i] = refused.get();
                            continue;
                        }
                    }
                    touched.add(c.conversationId());
                    MessageRecord record = assign(c);
                    fresh.add(record);
                    outcome[i] = record;
                    if (c.request().getContent().hasReplyTo()) {
                        links.add(new ReplyLink(c.conversationId(), c.request().getContent().getReplyTo().getSeq(),
                                record.msgId()));
                    }
                    if (c.isGroup() && Mentions.any(c.request().getContent())) {
                        mentioned.put(record.msgId(), Mentions.marked(c, rosters.get(c.groupId()), record.seq()));
                    }
                }
                ConversationUpdates.Plan writes = ConversationUpdates.plan(fresh, rosters::get, largeGroupThreshold,
                        msgId -> mentioned.getOrDefault(msgId, Set.of()));
                return new MessageStore.Writes(fresh, writes.rows(), writes.groups(), List.of(), links);
            });
            committed = true;
            metrics.persisted(System.nanoTime() - start, fresh.size());
            if (!fresh.isEmpty()) {
                slowWrites.check(fresh);
            }
            return fresh;
        } catch (AssignFailed e) {
            assigner.rollback(touched);
            throw e.retry;
        } catch (DuplicateMessageException | FencedWriteException e) {
            assigner.rollback(touched);
            throw e;
        } catch (RuntimeException e) {
            assigner.rollback(touched);
            throw StorageFailures.classify("storing " + fresh.size() + " new messages of a batch of " + batchSize, e);
        } finally {
            if (!committed) {
                metrics.persistFailed(System.nanoTime() - start);
            }
        }
    }

    /** Refuses the new messages their senders have no budget left for (one limiter call for the batch). */
    private void limit(List<Slot> slots, Object[] outcome) {
        List<Integer> at = new ArrayList<>();
        List<SendCommand> fresh = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) instanceof Fresh f) {
                at.add(i);
                fresh.add(f.command());
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        long[] refused = limiter.admit(fresh);
        for (int j = 0; j < refused.length; j++) {
            if (refused[j] > 0) {
                SendCommand c = fresh.get(j);
                outcome[at.get(j)] = new Rejection(c.envelope(), ErrorCode.RATE_LIMITED, "message over your budget"
                        + " of " + limiter.budget() + ", counted across all your devices; not sent, resend it"
                        + " after retry_after_ms=" + refused[j], refused[j]);
            }
        }
    }

    /** Operator mutes of the batch's new sends' senders (only those not cached): one query for the whole batch. */
    private void prepareChecks(List<Slot> slots) throws BatchRetryException {
        List<SendCommand> senders = new ArrayList<>();
        for (Slot slot : slots) {
            if (slot instanceof Fresh f) {
                senders.add(f.command());
            }
        }
        try {
            mutes.prepare(senders);
        } catch (RuntimeException e) {
            throw StorageFailures.classify("reading the operator mutes of the senders of " + senders.size()
                    + " sends", e);
        }
    }

    private Optional<Rejection> checkSender(SendCommand c) throws BatchRetryException {
        try {
            return mutes.check(c);
        } catch (RuntimeException e) {
            throw StorageFailures.classify("[conversation " + c.conversationId() + "] checking whether uid "
                    + c.senderUid() + " is muted", e);
        }
    }

    private Optional<Rejection> checkPeer(SendCommand c) throws BatchRetryException {
        try {
            return authorizer.check(c);
        } catch (RuntimeException e) {
            throw StorageFailures.classify("[conversation " + c.conversationId() + "] checking that user "
                    + c.peerUid() + " exists and takes messages from uid " + c.senderUid(), e);
        }
    }

    /**
     * Counts an admin's {@code @all} against its group's budget, scaled by the group's size. A plain member's
     * {@code @all} is left to the transaction's {@link Mentions#check} and does not count.
     */
    private Optional<Rejection> checkMentionAll(SendCommand c, GroupRosters rosters) throws BatchRetryException {
        Optional<GroupRoster> roster;
        try {
            roster = rosters.get(c.groupId());
        } catch (RuntimeException e) {
            throw StorageFailures.classify("[conversation " + c.conversationId() + "] reading the roster of group "
                    + c.groupId() + " for an @all", e);
        }
        if (roster.isEmpty() || !roster.get().isAdmin(c.senderUid())) {
            return Optional.empty();
        }
        int members = roster.get().size();
        long retryAfter = limiter.admitMentionAll(c.groupId(), members, c.senderUid(), c.clientMsgId());
        if (retryAfter <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Rejection(c.envelope(), ErrorCode.MENTION_ALL_LIMITED, "@all in group " + c.groupId()
                + " would notify its " + members + " members, over the group's budget of " + limiter.mentionAllBudget()
                + "; not sent: mention members by mentioned_uids, or resend it after retry_after_ms=" + retryAfter,
                retryAfter));
    }

    private static Rejection reused(Conflict c) {
        SendCommand s = c.command();
        LogIdentity.sender(log.atInfo(), s.senderUid(), s.envelope().getDeviceId(), s.conversationId())
                .log("[uid {}, device {}, conversation {}] SEND refused: client msg id {} already names a"
                        + " message of {}",
                s.senderUid(), s.envelope().getDeviceId(), s.conversationId(), s.clientMsgId(), c.claimedBy());
        return new Rejection(s.envelope(), ErrorCode.CLIENT_MSG_ID_REUSED, "client_msg_id '" + s.clientMsgId()
                + "' already names your message in conversation " + c.claimedBy() + ", not in " + s.conversationId()
                + "; nothing was sent: send a new message with a fresh client_msg_id");
    }

    private static List<OutgoingPush> pushes(List<Slot> slots, Object[] outcome, Map<Long, GroupRoster> locked,
            GroupRosters rosters) {
        List<OutgoingPush> pushes = new ArrayList<>(slots.size() * 2);
        for (int i = 0; i < slots.size(); i++) {
            SendCommand c = slots.get(i).command();
            if (outcome[i] instanceof MessageRecord record) {
                pushes.add(PushTaskFactory.sendAck(c.envelope(), c.clientMsgId(), record, c.rewritten()
                        || slots.get(i) instanceof Stored && !Arrays.equals(record.content(),
                                c.request().getContent().toByteArray())));
                if (!(slots.get(i) instanceof SameAs)) {
                    // a replay pushes again: the crash it recovers from may have come before the push
                    pushes.add(push(c, record, locked, rosters));
                }
            } else if (outcome[i] instanceof Rejection r) {
                pushes.add(PushTaskFactory.error(new Rejection(c.envelope(), r.code(), r.message(), r.retryAfterMs())));
            }
        }
        return pushes;
    }

    /** The PUSH of {@code record} to its own conversation's members at its seq, whatever the SEND named. */
    private static OutgoingPush push(SendCommand c, MessageRecord record, Map<Long, GroupRoster> locked,
            GroupRosters rosters) {
        if (record.conversationType() != ConversationType.GROUP_VALUE) {
            return PushTaskFactory.push(c.envelope(), record);
        }
        long groupId = ConversationIds.groupIdOf(record.conversationId());
        GroupRoster roster = locked.get(groupId);
        Set<Long> members = (roster != null ? Optional.of(roster) : rosters.get(groupId))
                .map(r -> r.membersAt(record.seq())).orElse(Set.of());
        return PushTaskFactory.groupPush(c.envelope(), record, members);
    }

    private MessageRecord assign(SendCommand c) {
        try {
            return assigner.assign(c);
        } catch (RuntimeException e) {
            // a lost worker-id lease or a clock step back passes; MySQL seq loading is retried too
            throw new AssignFailed(new BatchRetryException("[conversation " + c.conversationId() + "] assigning a"
                    + " message id and seq failed (" + e + "); the batch will be retried", true, e));
        }
    }

    /** Carries an assignment failure out of the transaction's planner (which rolls back on it). */
    private static final class AssignFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient BatchRetryException retry;

        AssignFailed(BatchRetryException retry) {
            super(retry.getMessage(), retry, false, false);
            this.retry = retry;
        }
    }

    /** The batch's dedupe and the blocks and DM policies of its one-to-one {@code pairs}, read together. */
    private MessageStore.Lookup lookup(List<SendCommand> sends, Set<DirectPair> pairs) throws BatchRetryException {
        Set<SenderClientKey> keys = new LinkedHashSet<>();
        for (SendCommand c : sends) {
            keys.add(c.key());
        }
        try {
            return store.lookup(keys, pairs);
        } catch (RuntimeException e) {
            throw StorageFailures.classify("looking up " + keys.size() + " client message ids and the blocks and"
                    + " direct message policies of " + pairs.size() + " one-to-one pairs", e);
        }
    }
}
