package io.magpie.logic.internal;

import io.magpie.das.OwnHistory;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.registry.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DELETE (for me) and CLEAR, one by one: the caller's own view of a conversation on all their devices
 * ({@link OwnHistory}); DELETE_ACK / CLEAR_ACK carry the caller's row version, and the caller's other
 * devices get {@code NOTICE_DELETED} (the newly hidden seqs) or {@code NOTICE_CLEARED} (the new
 * cleared seq) when something changed. A conversation the caller has no row of gets ERROR
 * {@code NOT_FOUND}. Not thread-safe: the upstream consumer's thread.
 */
public final class OwnHistoryProcessor {

    private final OwnHistory history;
    private final IdGenerator versions;

    /** @param versions snowflake ids: the caller's new row version */
    public OwnHistoryProcessor(OwnHistory history, IdGenerator versions) {
        this.history = history;
        this.versions = versions;
    }

    /**
     * @return the answer, and a notice when something changed
     * @throws StorageException when MySQL failed (nothing of this request was written)
     */
    public List<OutgoingPush> process(ActionCommand command) {
        String conversationId = command.conversation().id();
        List<OutgoingPush> out = new ArrayList<>(2);
        if (command instanceof ActionCommand.Delete delete) {
            Optional<OwnHistory.Outcome> done = history.delete(delete.uid(), conversationId, delete.seqs(),
                    versions.nextId());
            if (done.isEmpty()) {
                return notFound(command, "deleted");
            }
            out.add(ack(command, Command.DELETE_ACK, done.get().version()));
            if (done.get().changed()) {
                out.add(notice(command, Notice.newBuilder().setType(NoticeType.NOTICE_DELETED)
                        .addAllSeqs(new java.util.TreeSet<>(done.get().newlyHidden())).setVersion(done.get().version())));
            }
        } else if (command instanceof ActionCommand.Clear clear) {
            Optional<OwnHistory.Outcome> done = history.clear(clear.uid(), conversationId, clear.upToSeq(),
                    versions.nextId());
            if (done.isEmpty()) {
                return notFound(command, "cleared");
            }
            out.add(PushTaskFactory.reply(command.envelope(), Command.CLEAR_ACK, ActionAck.newBuilder()
                    .setConversationId(conversationId).setVersion(done.get().version())
                    .setSeq(done.get().clearedSeq()).build()));
            if (done.get().changed()) {
                out.add(notice(command, Notice.newBuilder().setType(NoticeType.NOTICE_CLEARED)
                        .setSeq(done.get().clearedSeq()).setVersion(done.get().version())));
            }
        } else {
            throw new IllegalArgumentException("not a DELETE or CLEAR: " + command);
        }
        return out;
    }

    private static OutgoingPush notice(ActionCommand command, Notice.Builder notice) {
        return PushTaskFactory.notice(notice.setConversationId(command.conversation().id()).setUid(command.uid())
                .build(), List.of(command.uid()), command.envelope());
    }

    private static OutgoingPush ack(ActionCommand command, Command ack, long version) {
        return PushTaskFactory.reply(command.envelope(), ack, ActionAck.newBuilder()
                .setConversationId(command.conversation().id()).setVersion(version).build());
    }

    private static List<OutgoingPush> notFound(ActionCommand command, String verb) {
        return List.of(PushTaskFactory.error(new Rejection(command.envelope(), ErrorCode.NOT_FOUND, "uid "
                + command.uid() + " has no conversation " + command.conversation().id()
                + " (not a member, or no message yet); nothing was " + verb)));
    }
}
