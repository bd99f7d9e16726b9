package io.magpie.logic.internal;

import io.magpie.das.ConversationUpdate;
import io.magpie.das.DuplicateMessageException;
import io.magpie.das.FencedWriteException;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import io.magpie.das.MessageRepository;
import io.magpie.das.MessageStore;
import io.magpie.das.SenderClientKey;
import io.magpie.das.WriteFence;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.AdminSystemMessage;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores an operator's SYSTEM message ({@code content.system_notice}) on the conversation's writer: to one user
 * in the one-to-one conversation with the account it comes from ({@code s_<from>_<to>}, sent by that account), or
 * to a group's members ({@code g_<id>}, sent by uid 0, the operator). Like a send: deduplicated by (sender, op id),
 * the next seq of the conversation, the rows of its members in the same fenced transaction (the group row locked),
 * then a PUSH to the members' devices. A group that is gone or dismissed gets nothing (logged). Not thread-safe:
 * the upstream consumer's thread.
 */
public final class SystemMessageWriter {

    private static final Logger log = LoggerFactory.getLogger(SystemMessageWriter.class);
    private static final int MAX_SEQ_RELOADS = 3;

    private final MessageRepository messages;
    private final RosterLoader rosters;
    private final MessageAssigner assigner;
    private final MessageStore store;
    private final PartitionFences fences;
    private final int largeGroupThreshold;

    /** @param fences this instance's partition epochs; null = writes are not fenced */
    public SystemMessageWriter(MessageRepository messages, RosterLoader rosters, MessageAssigner assigner,
            MessageStore store, PartitionFences fences, int largeGroupThreshold) {
        this.messages = messages;
        this.rosters = rosters;
        this.assigner = assigner;
        this.store = store;
        this.fences = fences;
        this.largeGroupThreshold = largeGroupThreshold;
    }

    /** @return the PUSH of the stored message (again, when {@code opId} was stored before), or nothing */
    public List<OutgoingPush> write(String opId, AdminSystemMessage m, int partition) throws BatchRetryException {
        boolean group = m.getGroupId() > 0;
        long sender = group ? 0 : m.getFromUid();
        String conversation = group ? ConversationIds.group(m.getGroupId())
                : ConversationIds.single(m.getFromUid(), m.getToUid());
        SenderClientKey key = new SenderClientKey(sender, opId);
        Optional<MessageRecord> stored = io("looking up op id " + opId,
                () -> Optional.ofNullable(messages.findByClientMsgIds(Set.of(key)).get(key)));
        if (stored.isPresent()) {
            return List.of(PushTaskFactory.systemPush(stored.get(), audience(m, stored.get())));
        }
        MessageContent content = MessageContent.newBuilder().setType(MessageType.SYSTEM)
                .setSystemNotice(m.getNotice()).build();
        for (int attempt = 1; ; attempt++) {
            Object[] outcome = new Object[2];
            try {
                WriteFence fence = fences == null ? WriteFence.NONE : fences.fenceFor(List.of(partition));
                store.persist(fence, group ? Set.of(m.getGroupId()) : Set.of(), locked -> {
                    GroupRoster roster = group ? locked.get(m.getGroupId()) : null;
                    if (group && (roster == null || roster.group().dismissed())) {
                        return new MessageStore.Writes(List.of(), List.of(), List.of());
                    }
                    MessageRecord record = assigner.assignSystem(conversation, group ? ConversationType.GROUP
                            : ConversationType.SINGLE, sender, "", opId, content);
                    ConversationUpdates.Plan plan = ConversationUpdates.plan(List.of(record), gid -> roster,
                            largeGroupThreshold);
                    List<ConversationUpdate> rows = new ArrayList<>(plan.rows());
                    rows.removeIf(u -> u.ownerUid() == 0); // the operator has no conversation list
                    outcome[0] = record;
                    outcome[1] = group ? roster.memberUids() : List.of(m.getFromUid(), m.getToUid());
                    return new MessageStore.Writes(List.of(record), rows, plan.groups());
                });
            } catch (FencedWriteException e) {
                assigner.rollback(List.of(conversation));
                fences.fencedOut(e.partitions());
                return List.of();
            } catch (DuplicateMessageException e) {
                assigner.rollback(List.of(conversation));
                if (attempt >= MAX_SEQ_RELOADS) {
                    throw new BatchRetryException("[conversation " + conversation + "] the operator's SYSTEM message"
                            + " collided with stored rows " + attempt + " times in a row: " + e.getMessage(), true, e);
                }
                continue;
            } catch (RuntimeException e) {
                assigner.rollback(List.of(conversation));
                throw StorageFailures.classify("[conversation " + conversation + "] storing the operator's SYSTEM"
                        + " message " + opId, e);
            }
            if (outcome[0] == null) {
                LogIdentity.conversation(log.atWarn(), conversation).log("[conversation {}] the operator's SYSTEM"
                        + " message {} is dropped: the group does not exist or was dismissed", conversation, opId);
                return List.of();
            }
            MessageRecord record = (MessageRecord) outcome[0];
            @SuppressWarnings("unchecked")
            java.util.Collection<Long> audience = (java.util.Collection<Long>) outcome[1];
            LogIdentity.conversation(log.atInfo(), conversation).log("[conversation {}] the operator's SYSTEM message"
                    + " {} stored at seq {}", conversation, opId, record.seq());
            return List.of(PushTaskFactory.systemPush(record, audience));
        }
    }

    private List<Long> audience(AdminSystemMessage m, MessageRecord record) throws BatchRetryException {
        if (m.getGroupId() <= 0) {
            return List.of(m.getFromUid(), m.getToUid());
        }
        return List.copyOf(io("reading the roster", () -> rosters.load(m.getGroupId()))
                .map(r -> r.membersAt(record.seq())).orElse(Set.of()));
    }

    @FunctionalInterface
    private interface Io<T> {
        T run();
    }

    private static <T> T io(String what, Io<T> io) throws BatchRetryException {
        try {
            return io.run();
        } catch (RuntimeException e) {
            throw StorageFailures.classify(what, e);
        }
    }
}
