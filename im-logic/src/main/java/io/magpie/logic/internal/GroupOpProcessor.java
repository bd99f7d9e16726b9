package io.magpie.logic.internal;

import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.LogIdentity;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.AccountRepository;
import io.magpie.das.ConversationUpdate;
import io.magpie.das.DuplicateMessageException;
import io.magpie.das.FencedWriteException;
import io.magpie.das.GroupChange;
import io.magpie.das.GroupJoinRequests;
import io.magpie.das.GroupMutation;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.Relations;
import io.magpie.das.WriteFence;
import io.magpie.logic.internal.GroupOps.Change;
import io.magpie.logic.internal.GroupOps.Decision;
import io.magpie.logic.internal.GroupOps.Pending;
import io.magpie.logic.internal.GroupOps.Refuse;
import io.magpie.logic.internal.GroupOps.Reject;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 for one GROUP request, on the writer that owns the group's partition (so it is ordered with
 * the group's messages): dedupe by (operator, client msg id) like a SEND; check what needs no lock
 * (invitees registered and not blocking the operator, a join request to approve exists); then ONE
 * fenced transaction that locks the group row, decides the change from the locked roster
 * ({@link GroupOps}), assigns the SYSTEM message its id and seq, and stores the message, the members'
 * conversation rows and the group's rows together. The push tasks: GROUP_ACK to the operator's
 * connection, the SYSTEM message to every member at its seq, those it removes included (it is the
 * last they get) and those it adds included. A join request awaiting approval (and its rejection) is
 * not a timeline message: stored, announced by NOTICE, acknowledged with seq 0. Failures that may pass
 * throw {@link BatchRetryException} (retryable) and the batch is replayed; one that cannot pass is
 * answered INTERNAL. Not thread-safe: the upstream consumer's thread.
 */
public final class GroupOpProcessor {

    private static final Logger log = LoggerFactory.getLogger(GroupOpProcessor.class);
    private static final int MAX_SEQ_RELOADS = 3;

    /** What the processor needs besides the write path. */
    public record Directory(AccountRepository accounts, Relations relations, GroupJoinRequests joinRequests) {
    }

    private final MessageRepository messages;
    private final RosterLoader rosters;
    private final Directory directory;
    private final GroupOps ops;
    private final MessageAssigner assigner;
    private final MessageStore store;
    private final PartitionFences fences;
    private final Clock clock;
    private final int largeGroupThreshold;

    /**
     * @param largeGroupThreshold groups with more members are stored by read diffusion
     * @param fences              this instance's partition epochs; null = writes are not fenced
     */
    public GroupOpProcessor(MessageRepository messages, RosterLoader rosters, Directory directory, GroupOps ops,
            MessageAssigner assigner, MessageStore store, PartitionFences fences, Clock clock,
            int largeGroupThreshold) {
        this.messages = messages;
        this.rosters = rosters;
        this.directory = directory;
        this.ops = ops;
        this.assigner = assigner;
        this.store = store;
        this.fences = fences;
        this.clock = clock;
        this.largeGroupThreshold = largeGroupThreshold;
    }

    /** @return the push tasks of the request, to publish before the offsets are committed */
    public List<OutgoingPush> process(GroupCommand c) throws BatchRetryException {
        if (fences != null && c.partition() != SendCommand.NO_PARTITION && fences.isFencedOut(c.partition())) {
            return List.of(); // another instance owns the group now and answers it
        }
        try {
            return handle(c);
        } catch (BatchRetryException e) {
            if (e.retryable()) {
                throw e;
            }
            LogIdentity.device(log.atError(), null, c.operatorUid(), c.envelope().getDeviceId())
                    .log("[uid {}, device {}, group {}] GROUP {} cannot be applied and is dropped; the operator gets"
                    + " an ERROR", c.operatorUid(), c.envelope().getDeviceId(), c.groupId(), c.op(), e);
            return errors(c, ErrorCode.INTERNAL, "the server could not apply this change");
        }
    }

    private List<OutgoingPush> handle(GroupCommand c) throws BatchRetryException {
        Optional<MessageRecord> stored = read("looking up client msg id " + c.clientMsgId(),
                () -> Optional.ofNullable(messages.findByClientMsgIds(Set.of(c.key())).get(c.key())));
        if (stored.isPresent()) {
            return replay(c, stored.get());
        }
        Optional<GroupRoster> roster = read("reading the roster", () -> rosters.load(c.groupId()));
        Decision first = ops.decide(c, roster, clock.millis());
        if (first instanceof Refuse r) {
            return errors(c, r.code(), r.message());
        }
        if (first instanceof Pending p) {
            return pending(c, roster.orElseThrow(), p);
        }
        if (first instanceof Reject r) {
            return reject(c, r.uid());
        }
        Optional<Refuse> refused = read("checking the users named", () -> precheck(c, (Change) first));
        if (refused.isPresent()) {
            return errors(c, refused.get().code(), refused.get().message());
        }
        return write(c);
    }

    /** What needs no lock: invitees exist and did not block the operator; a request to approve exists. */
    private Optional<Refuse> precheck(GroupCommand c, Change change) {
        if (c.op() == GroupRequest.OpCase.INVITE) {
            Set<Long> missing = new LinkedHashSet<>(change.added());
            missing.removeAll(directory.accounts().findExistingUids(change.added()));
            if (!missing.isEmpty()) {
                return Optional.of(new Refuse(ErrorCode.NOT_FOUND, "no user with uid " + missing
                        + "; nobody was added"));
            }
            Set<Long> blockers = directory.relations().blockersAmong(c.operatorUid(), change.added());
            if (!blockers.isEmpty()) {
                return Optional.of(new Refuse(ErrorCode.BLOCKED_BY_USER, "uid " + blockers + " blocked uid "
                        + c.operatorUid() + " and cannot be added by them; nobody was added"));
            }
        }
        if (c.op() == GroupRequest.OpCase.APPROVE_JOIN) {
            long uid = c.request().getApproveJoin().getUid();
            if (directory.joinRequests().find(c.groupId(), uid).isEmpty()) {
                return Optional.of(new Refuse(ErrorCode.JOIN_NOT_ALLOWED, "uid " + uid + " has no request to join"
                        + " group " + c.groupId() + " awaiting approval"));
            }
        }
        return Optional.empty();
    }

    private List<OutgoingPush> write(GroupCommand c) throws BatchRetryException {
        String conversation = c.conversationId();
        for (int attempt = 1; ; attempt++) {
            Object[] outcome = new Object[2];
            try {
                WriteFence fence = fences == null || c.partition() == SendCommand.NO_PARTITION ? WriteFence.NONE
                        : fences.fenceFor(List.of(c.partition()));
                store.persist(fence, Set.of(c.groupId()), locked -> plan(c, locked.get(c.groupId()), outcome));
            } catch (FencedWriteException e) {
                assigner.rollback(List.of(conversation));
                fences.fencedOut(e.partitions());
                return List.of();
            } catch (DuplicateMessageException e) {
                assigner.rollback(List.of(conversation));
                if (attempt >= MAX_SEQ_RELOADS) {
                    throw new BatchRetryException("[group " + c.groupId() + "] the change collided with stored rows "
                            + attempt + " times in a row: " + e.getMessage(), true, e);
                }
                LogIdentity.conversation(log.atWarn(), ConversationIds.group(c.groupId()))
                        .log("[group {}] {}; another writer stored rows of this group (a partition moved), reloading its"
                        + " seq from MySQL", c.groupId(), e.getMessage());
                continue;
            } catch (AssignFailed e) {
                assigner.rollback(List.of(conversation));
                throw e.retry;
            } catch (RuntimeException e) {
                assigner.rollback(List.of(conversation));
                throw StorageFailures.classify("[group " + c.groupId() + "] storing GROUP " + c.op(), e);
            }
            if (outcome[0] instanceof Refuse r) {
                return errors(c, r.code(), r.message());
            }
            MessageRecord record = (MessageRecord) outcome[0];
            @SuppressWarnings("unchecked")
            Set<Long> audience = (Set<Long>) outcome[1];
            LogIdentity.user(log.atInfo(), c.operatorUid())
                    .log("[uid {}, group {}] {} stored at seq {}", c.operatorUid(), c.groupId(), c.op(), record.seq());
            return stored(c, record, audience);
        }
    }

    /** Runs inside the transaction, the group row locked: memory work only. */
    private MessageStore.Writes plan(GroupCommand c, GroupRoster locked, Object[] outcome) {
        outcome[0] = null;
        Decision d = ops.decide(c, Optional.ofNullable(locked), clock.millis());
        if (!(d instanceof Change ch)) {
            outcome[0] = d instanceof Refuse r ? r : new Refuse(ErrorCode.INTERNAL, "the group changed while"
                    + " the request was checked; send it again");
            return new MessageStore.Writes(List.of(), List.of(), List.of());
        }
        int count = locked.size() + ch.added().size() - ch.removed().size();
        MessageContent content = MessageContent.newBuilder().setType(MessageType.SYSTEM)
                .setGroupEvent(ch.event().setMemberCount(count)).build();
        MessageRecord record;
        try {
            record = assigner.assignSystem(c, content);
        } catch (RuntimeException e) {
            throw new AssignFailed(new BatchRetryException("[group " + c.groupId() + "] assigning a message id and"
                    + " seq failed (" + e + "); the batch will be retried", true, e));
        }
        GroupRoster audience = audience(locked, ch.added(), record.seq());
        ConversationUpdates.Plan plan = ConversationUpdates.plan(List.of(record), gid -> audience,
                largeGroupThreshold);
        List<ConversationUpdate> rows = new ArrayList<>(plan.rows());
        if (audience.size() > largeGroupThreshold) {
            // read diffusion stops at a former member: their own row must carry the message that removed them
            for (long uid : ch.removed()) {
                if (uid != record.senderUid()) {
                    rows.add(new ConversationUpdate(uid, record.conversationId(), ConversationType.GROUP_VALUE,
                            c.groupId(), record.seq(), record.msgId(), record.msgId(),
                            ConversationUpdate.KEEP_READ_SEQ));
                }
            }
        }
        List<GroupMutation> mutations = new ArrayList<>();
        if (!ch.added().isEmpty()) {
            mutations.add(new GroupMutation.AddMembers(ch.added(), record.seq()));
        }
        if (!ch.removed().isEmpty()) {
            mutations.add(new GroupMutation.RemoveMembers(ch.removed(), record.seq()));
        }
        mutations.addAll(ch.mutations());
        if (c.byOperator()) {
            rows.removeIf(u -> u.ownerUid() == record.senderUid()); // sender 0, the operator, has no conversation list
        }
        outcome[0] = record;
        outcome[1] = audience.memberUids();
        return new MessageStore.Writes(List.of(record), rows, plan.groups(),
                List.of(new GroupChange(c.groupId(), record.msgId(), mutations)));
    }

    /** Who receives the change: the members before it and those it adds (at its seq). */
    private static GroupRoster audience(GroupRoster before, List<Long> added, long seq) {
        if (added.isEmpty()) {
            return before;
        }
        Set<Long> uids = new LinkedHashSet<>(before.memberUids());
        Map<Long, Long> joinSeqs = new LinkedHashMap<>(before.joinSeqs());
        for (long uid : added) {
            uids.add(uid);
            joinSeqs.put(uid, seq);
        }
        return new GroupRoster(before.group(), uids, joinSeqs, before.details(), before.roles(), before.mutedUntil());
    }

    /** A resend of a stored change: the same GROUP_ACK, and the message pushed again. */
    private List<OutgoingPush> replay(GroupCommand c, MessageRecord record) throws BatchRetryException {
        if (!record.conversationId().equals(c.conversationId()) || record.msgType() != MessageType.SYSTEM_VALUE) {
            return errors(c, ErrorCode.CLIENT_MSG_ID_REUSED, "client_msg_id '" + c.clientMsgId()
                    + "' already names your message in conversation " + record.conversationId()
                    + "; use a fresh client_msg_id for each change");
        }
        Set<Long> audience = new LinkedHashSet<>(read("reading the roster", () -> rosters.load(c.groupId()))
                .map(r -> r.membersAt(record.seq())).orElse(Set.of()));
        GroupEvent event = event(record);
        if (event.getType() == GroupEventType.MEMBER_LEFT || event.getType() == GroupEventType.MEMBERS_KICKED) {
            audience.addAll(event.getTargetUidsList());
        }
        return stored(c, record, audience);
    }

    private List<OutgoingPush> pending(GroupCommand c, GroupRoster roster, Pending p) throws BatchRetryException {
        read("storing the join request", () -> {
            directory.joinRequests().put(c.groupId(), c.operatorUid(), p.message());
            return null;
        });
        List<Long> admins = new ArrayList<>(roster.roles().keySet());
        Notice notice = Notice.newBuilder().setType(NoticeType.NOTICE_GROUP_JOIN_REQUEST)
                .setConversationId(c.conversationId()).setGroupId(c.groupId()).setUid(c.operatorUid())
                .setRequesterUid(c.operatorUid()).setJoinMessage(p.message()).build();
        return List.of(ack(c, null, true), PushTaskFactory.notice(notice, admins, null));
    }

    private List<OutgoingPush> reject(GroupCommand c, long uid) throws BatchRetryException {
        boolean existed = read("deleting the join request", () -> directory.joinRequests().delete(c.groupId(), uid));
        if (!existed) {
            return errors(c, ErrorCode.JOIN_NOT_ALLOWED, "uid " + uid + " has no request to join group "
                    + c.groupId() + " awaiting approval");
        }
        Notice notice = Notice.newBuilder().setType(NoticeType.NOTICE_GROUP_JOIN_REJECTED)
                .setConversationId(c.conversationId()).setGroupId(c.groupId()).setUid(c.operatorUid())
                .setRequesterUid(uid).build();
        return List.of(ack(c, null, false), PushTaskFactory.notice(notice, List.of(uid), null));
    }

    private static OutgoingPush ack(GroupCommand c, MessageRecord record, boolean pending) {
        GroupAck.Builder ack = GroupAck.newBuilder().setGroupId(c.groupId()).setClientMsgId(c.clientMsgId())
                .setPending(pending);
        if (record != null) {
            ack.setSeq(record.seq()).setMsgId(record.msgId()).setVersion(record.version());
        }
        return PushTaskFactory.reply(c.envelope(), Command.GROUP_ACK, ack.build());
    }

    /** The ERROR to the operator's connection; an operator's change from the admin API is answered in the log only. */
    private static List<OutgoingPush> errors(GroupCommand c, ErrorCode code, String message) {
        String tail = code == ErrorCode.INTERNAL || message.contains("nobody was") ? "" : "; nothing was changed";
        if (c.byOperator()) {
            LogIdentity.conversation(log.atWarn(), c.conversationId()).log("[group {}] the operator's {} was refused"
                    + " ({}): {}{}", c.groupId(), c.op(), code, message, tail);
            return List.of();
        }
        return List.of(PushTaskFactory.error(new Rejection(c.envelope(), code, message + tail)));
    }

    /** GROUP_ACK and the SYSTEM message to the audience; an operator's change has no connection to acknowledge. */
    private static List<OutgoingPush> stored(GroupCommand c, MessageRecord record, Set<Long> audience) {
        if (c.byOperator()) {
            return List.of(PushTaskFactory.systemPush(record, audience));
        }
        return List.of(ack(c, record, false), PushTaskFactory.groupPush(c.envelope(), record, audience));
    }

    /** Whether a stored SYSTEM message records a change of its group (it has a group_event): never rewritten. */
    static boolean recordsGroupChange(MessageRecord record) {
        try {
            return MessageContent.parseFrom(record.content()).hasGroupEvent();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored content of SYSTEM message " + record.msgId() + " in "
                    + record.conversationId() + " is not a MessageContent", e);
        }
    }

    /** The GroupEvent of a stored SYSTEM message. */
    static GroupEvent event(MessageRecord record) {
        try {
            return MessageContent.parseFrom(record.content()).getGroupEvent();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored content of SYSTEM message " + record.msgId() + " in "
                    + record.conversationId() + " is not a MessageContent", e);
        }
    }

    /** A read or small write outside the change's transaction. */
    @FunctionalInterface
    private interface Io<T> {
        T run();
    }

    private static <T> T read(String what, Io<T> io) throws BatchRetryException {
        try {
            return io.run();
        } catch (RuntimeException e) {
            throw StorageFailures.classify(what, e);
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
}
