package io.magpie.logic.internal;

import io.magpie.das.ReadMark;
import io.magpie.das.ReadPositions;
import io.magpie.das.ReadState;
import io.magpie.das.UnreadCounts;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.registry.StorageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * READs of one polled batch, applied together: the batch's reads are merged per reader and
 * conversation (the highest wins), written in one transaction ({@link ReadPositions}), and answered:
 * READ_ACK to each request with the row's version, stored read position and the unread count left,
 * a {@code NOTICE_READ} (with that count) to the reader's other devices, and for a one-to-one conversation a {@code NOTICE_PEER_READ} receipt to the peer unless
 * either of them hides read receipts. A READ of a conversation the reader has no row of (not a
 * member, or nothing was ever sent) gets ERROR {@code NOT_FOUND}. Not thread-safe: the upstream
 * consumer's thread.
 */
public final class ReadProcessor {

    private final ReadPositions positions;
    private final UnreadCounts unread;
    private final IdGenerator versions;

    /** @param versions snowflake ids: the user-scoped versions the moved rows get */
    public ReadProcessor(ReadPositions positions, UnreadCounts unread, IdGenerator versions) {
        this.positions = positions;
        this.unread = unread;
        this.versions = versions;
    }

    /**
     * @return the answers and notices to publish, in request order
     * @throws StorageException when MySQL could not apply the batch (nothing was written: replay it)
     */
    public List<OutgoingPush> process(List<ActionCommand.Read> reads) {
        if (reads.isEmpty()) {
            return List.of();
        }
        Map<String, ActionCommand.Read> newest = new LinkedHashMap<>();
        for (ActionCommand.Read r : reads) {
            newest.merge(key(r.uid(), r.conversation().id()), r, (a, b) -> b.readSeq() >= a.readSeq() ? b : a);
        }
        List<ReadMark> marks = new ArrayList<>(newest.size());
        Set<Long> people = new HashSet<>();
        for (ActionCommand.Read r : newest.values()) {
            marks.add(new ReadMark(r.uid(), r.conversation().id(), r.readSeq(), versions.nextId()));
            if (r.conversation() instanceof ConversationRef.Single single) {
                // receipts are one-to-one only: group reads need no settings lookup
                people.add(r.uid());
                people.add(single.peerOf(r.uid()));
            }
        }
        Set<Long> hiding = people.isEmpty() ? Set.of() : positions.hidingReceipts(people);
        ReadPositions.Outcome outcome = positions.apply(marks, moved -> {
            List<ReadPositions.PeerMark> receipts = new ArrayList<>();
            for (ReadState s : moved) {
                if (sharesReceipts(s, hiding)) {
                    receipts.add(new ReadPositions.PeerMark(s.peerId(), s.conversationId(), s.readSeq(),
                            versions.nextId()));
                }
            }
            return receipts;
        });
        Map<String, ReadState> states = new HashMap<>();
        Map<Long, List<UnreadCounts.Range>> ranges = new HashMap<>();
        for (ReadState s : outcome.states()) {
            states.put(key(s.ownerUid(), s.conversationId()), s);
            ranges.computeIfAbsent(s.ownerUid(), o -> new ArrayList<>()).add(s.unreadRange());
        }
        // usually nothing is left unread after a READ and no query runs
        Map<String, Long> unreadAfter = new HashMap<>();
        ranges.forEach((owner, r) -> unread.of(owner, r).forEach((c, n) -> unreadAfter.put(key(owner, c), n)));
        List<OutgoingPush> out = new ArrayList<>();
        for (ActionCommand.Read r : reads) {
            ReadState s = states.get(key(r.uid(), r.conversation().id()));
            if (s == null) {
                out.add(PushTaskFactory.error(new Rejection(r.envelope(), ErrorCode.NOT_FOUND, "uid " + r.uid()
                        + " has no conversation " + r.conversation().id() + " (not a member, or no message yet);"
                        + " nothing was marked read")));
            } else {
                out.add(PushTaskFactory.reply(r.envelope(), Command.READ_ACK, ActionAck.newBuilder()
                        .setConversationId(s.conversationId()).setVersion(s.version()).setSeq(s.readSeq())
                        .setUnreadCount(unreadAfter.getOrDefault(key(s.ownerUid(), s.conversationId()), 0L))
                        .setLastSeq(s.lastSeq()).build()));
            }
        }
        for (ActionCommand.Read r : newest.values()) {
            ReadState s = states.get(key(r.uid(), r.conversation().id()));
            if (s == null || !s.moved()) {
                continue;
            }
            out.add(PushTaskFactory.notice(Notice.newBuilder().setType(NoticeType.NOTICE_READ)
                    .setConversationId(s.conversationId()).setSeq(s.readSeq()).setUid(s.ownerUid())
                    .setVersion(s.version())
                    .setUnreadCount(unreadAfter.getOrDefault(key(s.ownerUid(), s.conversationId()), 0L)).build(),
                    List.of(s.ownerUid()), r.envelope()));
            if (sharesReceipts(s, hiding)) {
                out.add(PushTaskFactory.notice(Notice.newBuilder().setType(NoticeType.NOTICE_PEER_READ)
                        .setConversationId(s.conversationId()).setSeq(s.readSeq()).setUid(s.ownerUid()).build(),
                        List.of(s.peerId()), null));
            }
        }
        return out;
    }

    /** One-to-one, and neither the reader nor the peer hides read receipts. */
    private static boolean sharesReceipts(ReadState s, Set<Long> hiding) {
        return s.conversationType() == ConversationType.SINGLE_VALUE && !hiding.contains(s.ownerUid())
                && !hiding.contains(s.peerId());
    }

    private static String key(long uid, String conversationId) {
        return uid + "/" + conversationId;
    }
}
