package io.magpie.logic.internal;

import io.magpie.protocol.proto.AdminCommand;
import io.magpie.protocol.proto.GroupNone;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.registry.StorageException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 for an operator's write from the admin API (ADMIN_OP), on the writer that owns the conversation's
 * partition, so it is ordered with the conversation's messages and its seqs never clash with the writer's cache:
 * delete a message for everyone ({@link RecallProcessor#recallByOperator}), a SYSTEM message
 * ({@link SystemMessageWriter}), dismiss a group ({@link GroupOpProcessor}, the operator as actor). Nothing is
 * answered (no connection asked); replays change nothing twice. Failures that may pass throw
 * {@link BatchRetryException} and the batch is replayed. Not thread-safe: the upstream consumer's thread.
 */
public final class AdminOpProcessor {

    private static final Logger log = LoggerFactory.getLogger(AdminOpProcessor.class);

    private final RecallProcessor recalls;
    private final SystemMessageWriter systemMessages;
    private final GroupOpProcessor groupOps;
    private final PartitionFences fences;

    /** @param fences this instance's partition epochs; null = writes are not fenced */
    public AdminOpProcessor(RecallProcessor recalls, SystemMessageWriter systemMessages, GroupOpProcessor groupOps,
            PartitionFences fences) {
        this.recalls = recalls;
        this.systemMessages = systemMessages;
        this.groupOps = groupOps;
        this.fences = fences;
    }

    /** @return the push tasks of the change, to publish before the offsets are committed */
    public List<OutgoingPush> process(AdminCommand c, int partition) throws BatchRetryException {
        if (fences != null && fences.isFencedOut(partition)) {
            return List.of(); // another instance owns the conversation now and applies it
        }
        return switch (c.getOpCase()) {
            case DELETE_MESSAGE -> {
                Optional<ConversationRef> ref = ConversationRef.parse(c.getDeleteMessage().getConversationId());
                if (ref.isEmpty() || c.getDeleteMessage().getSeq() < 1) {
                    yield dropped(c, "no conversation id or seq");
                }
                try {
                    yield recalls.recallByOperator(ref.get(), c.getDeleteMessage().getSeq());
                } catch (StorageException e) {
                    throw new BatchRetryException("the operator's delete of seq " + c.getDeleteMessage().getSeq()
                            + " in " + ref.get().id() + " could not be written: " + e.getMessage(), e.retryable(), e);
                }
            }
            case SYSTEM_MESSAGE -> {
                var m = c.getSystemMessage();
                if (m.getGroupId() <= 0 && (m.getFromUid() <= 0 || m.getToUid() <= 0 || m.getFromUid() == m.getToUid())) {
                    yield dropped(c, "neither a group nor two distinct users");
                }
                yield systemMessages.write(c.getOpId(), m, partition);
            }
            case DISMISS_GROUP -> c.getDismissGroup().getGroupId() <= 0 ? dropped(c, "no group id")
                    : groupOps.process(GroupCommand.byOperator(GroupRequest.newBuilder()
                    .setGroupId(c.getDismissGroup().getGroupId()).setClientMsgId(c.getOpId())
                    .setDismiss(GroupNone.getDefaultInstance()).build(), partition));
            case OP_NOT_SET -> dropped(c, "no op");
        };
    }

    private static List<OutgoingPush> dropped(AdminCommand c, String why) {
        log.error("[admin op {}] dropped, {}: the admin API never publishes this", c.getOpId(), why);
        return List.of();
    }
}
