package io.magpie.client.internal;

import io.magpie.client.ConversationState;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.SyncAck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * Read positions, unread counts, receipts, recalls, deletions for me and clears per conversation, on the client
 * (docs/PROTOCOL.md §9.9-§9.12), as a state machine without I/O: it is told what the client saw (SYNC_ACK pages,
 * delivered messages, this device's SEND_ACKs and READ/RECALL/DELETE/CLEAR acks, NOTICEs, the catch-up PULL after
 * a reconnect) and reports changes to a {@link MessageListener}.
 *
 * <ul>
 *   <li>A SYNC_ACK row resets the conversation to the server's exact numbers and settings, unless the client
 *       already saw a newer version of that row (an ack or NOTICE that the answer predates); messages the client
 *       counted above the row's {@code last_seq} (pushed after the answer was built) are added back. The total is
 *       the answer's {@code total_unread}, corrected by those and by the rows the answer had stale.</li>
 *   <li>A delivered message of someone else, not recalled or deleted, above the read and cleared positions and
 *       above what was already counted adds one. One of this user's own (delivered from another device, or this
 *       device's SEND_ACK) reads everything up to it: unread 0.</li>
 *   <li>A read (this device's READ_ACK, NOTICE_READ) sets the stored read position and the server's exact unread
 *       count after it; messages this client counted above that position that the count may not include yet
 *       (pushed while the read was on its way) keep counting.</li>
 *   <li>A recall or delete for me of an unread message takes one away: above the read position every message is
 *       someone else's, so one the client did not count itself is among those the SYNC counted. A clear drops
 *       what it covers. Each (conversation, seq) is recalled, and deleted, once.</li>
 * </ul>
 *
 * <p>Not thread-safe: the owner ({@link DeliveryCoordinator}) serializes calls, and listeners are called from
 * inside them.
 */
public final class ReadStateTracker {

    private final MessageListener listener;
    private final ToLongFunction<String> heldBefore;
    private final Map<String, Track> tracks = new HashMap<>();
    private long ownUid;
    private long totalUnread;

    public ReadStateTracker(MessageListener listener) {
        this(listener, id -> 0);
    }

    /**
     * @param heldBefore the newest seq of a conversation the app held before this tracker existed (the client
     *                   state's last delivered seq, 0 when unknown): recalls and clears of those are news too
     */
    public ReadStateTracker(MessageListener listener, ToLongFunction<String> heldBefore) {
        this.listener = listener;
        this.heldBefore = heldBefore;
    }

    /** The logged-in user: their messages are read, never unread. */
    public void loggedIn(long uid) {
        this.ownUid = uid;
    }

    public long totalUnread() {
        return totalUnread;
    }

    public Optional<ConversationState> state(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? Optional.empty() : Optional.of(t.snapshot());
    }

    /** Snapshots of every conversation the client has seen. */
    public Map<String, ConversationState> states() {
        Map<String, ConversationState> all = new HashMap<>();
        tracks.forEach((id, t) -> all.put(id, t.snapshot()));
        return all;
    }

    /** The newest seq known of a conversation, 0 if none. */
    public long lastSeq(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? 0 : t.lastSeq;
    }

    /** The version of the conversation's row the client knows (SYNC, acks, NOTICEs), 0 if none. */
    public long rowVersion(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? 0 : t.rowVersion;
    }

    /** One SYNC_ACK page. */
    public void synced(SyncAck ack) {
        long extra = 0;
        Map<String, Long> changed = new HashMap<>();
        Map<String, Long> cleared = new LinkedHashMap<>();
        for (ConversationInfo c : ack.getConversationsList()) {
            if (c.getConversationId().isEmpty()) {
                continue;
            }
            Track t = track(c.getConversationId());
            reportRecalledLast(t, c);
            long before = t.unread;
            if (c.getVersion() >= t.rowVersion) {
                t.rowVersion = c.getVersion();
                if (c.getClearedSeq() > t.clearedSeq && t.heldSeq > t.clearedSeq) {
                    // cleared on another device while this one was away, and the app holds some of it
                    cleared.put(t.id, c.getClearedSeq());
                }
                t.clearedSeq = Math.max(t.clearedSeq, c.getClearedSeq());
                t.readSeq = c.getReadSeq();
                t.peerReadSeq = c.getPeerReadSeq();
                t.muted = c.getMuted();
                t.pinnedAt = c.getPinnedAt();
                t.hidden = c.getDeleted();
                // the row says whether a message up to last_seq mentions us unread, not which: until read past
                // last_seq (or a newer mention is delivered)
                t.mentionSeq = c.getMentioned() ? Math.max(c.getLastSeq(), t.floor() + 1) : 0;
                // counted by us but newer than the answer: the server could not include them yet
                long through = Math.max(c.getLastSeq(), t.floor());
                t.counted.headSet(through, true).clear();
                t.unread = Math.max(0, c.getUnreadCount()) + t.counted.size();
                if (!t.muted) {
                    extra += t.counted.size();
                }
            } else if (!t.muted) {
                // the answer predates what the client knows of this row: its total counted the older number
                extra += t.unread - Math.max(0, c.getUnreadCount());
            }
            t.lastSeq = Math.max(t.lastSeq, c.getLastSeq());
            if (t.unread != before) {
                changed.put(t.id, t.unread);
            }
        }
        long total = Math.max(0, Math.max(0, ack.getTotalUnread()) + extra);
        boolean totalMoved = total != totalUnread;
        totalUnread = total;
        if (changed.isEmpty() && totalMoved) {
            listener.onUnreadChanged(null, 0, totalUnread);
        }
        changed.forEach((id, unread) -> listener.onUnreadChanged(id, unread, totalUnread));
        cleared.forEach(listener::onCleared);
    }

    /** A message handed to the app (pushed or pulled), in seq order per conversation. */
    public void delivered(Message m) {
        if (m.getConversationId().isEmpty() || m.getSeq() <= 0) {
            return;
        }
        Track t = track(m.getConversationId());
        boolean held = m.getSeq() <= t.heldSeq;
        t.heldSeq = Math.max(t.heldSeq, m.getSeq());
        if (m.getStatus() == MessageStatus.RECALLED) {
            // the placeholder: it does not count (the numbers it came with exclude it already), and when it
            // replaces a message the app got before, that is news
            recalled(t, m.getSeq(), m.getMsgId(), 0, m.getSenderUid(), m.getVersion(), held, false);
            t.lastSeq = Math.max(t.lastSeq, m.getSeq());
            return;
        }
        if (m.getStatus() == MessageStatus.DELETED) {
            deleted(t, List.of(m.getSeq()), 0, held, false);
            t.lastSeq = Math.max(t.lastSeq, m.getSeq());
            return;
        }
        if (m.getSeq() <= t.lastSeq) {
            return; // counted already, by a SYNC or earlier
        }
        t.lastSeq = m.getSeq();
        if (ownUid != 0 && m.getSenderUid() == ownUid) {
            readThrough(t, m.getSeq());
        } else if (m.getSeq() > t.floor() && !t.recalled.contains(m.getSeq()) && !t.deleted.contains(m.getSeq())
                && m.getContent().getType() != io.magpie.protocol.proto.MessageType.SYSTEM) {
            // a SYSTEM message (a group change) is news, but never unread (docs/PROTOCOL.md 9.16)
            t.counted.add(m.getSeq());
            if (ownUid != 0 && (m.getContent().getMentionAll() || m.getContent().getMentionedUidsList().contains(ownUid))) {
                t.mentionSeq = Math.max(t.mentionSeq, m.getSeq());
            }
            changeUnread(t, t.unread + 1);
        }
    }

    /** This device's own message got {@code seq} (SEND_ACK): sending reads the conversation up to it. */
    public void sent(String conversationId, long seq) {
        if (conversationId.isEmpty() || seq <= 0) {
            return;
        }
        Track t = track(conversationId);
        t.lastSeq = Math.max(t.lastSeq, seq);
        t.heldSeq = Math.max(t.heldSeq, seq);
        readThrough(t, seq);
    }

    /**
     * This device's READ up to {@code requestedSeq} was acknowledged: READ_ACK's {@code seq} is the stored (clamped)
     * position and {@code unread_count} the exact count after it (docs/PROTOCOL.md §7.4).
     */
    public void readAcked(String conversationId, long requestedSeq, ActionAck ack) {
        Track t = track(conversationId);
        // a server without ActionAck.seq: it stored min(requested, its newest), and the client cannot have read
        // what it does not know of
        long stored = ack.getSeq() > 0 ? ack.getSeq() : Math.min(requestedSeq, t.lastSeq);
        read(t, stored, ack.getUnreadCount(), ack.getVersion());
    }

    /** This device's RECALL of {@code seq} was acknowledged with the message's new {@code version}. */
    public void recallAcked(String conversationId, long seq, long version) {
        Track t = track(conversationId);
        // the sender may be someone else (a group admin recalls any message): 0 = unknown
        recalled(t, seq, 0, ownUid, 0, version, false, true);
    }

    /** This device's DELETE of {@code seqs} was acknowledged with the row's {@code version}. */
    public void deleteAcked(String conversationId, List<Long> seqs, long version) {
        deleted(track(conversationId), seqs, version, false, true);
    }

    /** This device's CLEAR was acknowledged: CLEAR_ACK's {@code seq} is the cleared seq, {@code version} the row's. */
    public void clearAcked(String conversationId, long clearedSeq, long version) {
        cleared(track(conversationId), clearedSeq, version, false);
    }

    /**
     * What the catch-up PULL after a reconnect ({@code since_version}) found of the messages the app held through
     * {@code heldThrough}: recalls and this user's deletions it missed while offline are reported; the counts are
     * not touched (the SYNC that preceded it excluded them already). Newer seqs arrive through delivery.
     */
    public void caughtUp(String conversationId, List<Message> changes, long heldThrough) {
        Track t = track(conversationId);
        List<Long> deletions = new ArrayList<>();
        for (Message m : changes) {
            if (m.getSeq() <= 0 || m.getSeq() > heldThrough || m.getSeq() <= t.clearedSeq) {
                continue;
            }
            if (m.getStatus() == MessageStatus.RECALLED) {
                recalled(t, m.getSeq(), m.getMsgId(), 0, m.getSenderUid(), m.getVersion(), true, false);
            } else if (m.getStatus() == MessageStatus.DELETED) {
                deletions.add(m.getSeq());
            } else if (m.getVersion() != m.getMsgId()) {
                // a message's first version is its msg id: another one means it was reacted to or edited
                listener.onChanged(m);
            }
        }
        deleted(t, deletions, 0, true, false);
    }

    /** A NOTICE from the server. */
    public void notice(Notice n) {
        if (n.getConversationId().isEmpty()) {
            return;
        }
        switch (n.getType()) {
            case NOTICE_READ -> {
                Track t = track(n.getConversationId());
                if (read(t, n.getSeq(), n.getUnreadCount(), n.getVersion())) {
                    listener.onRead(t.id, t.readSeq);
                }
            }
            case NOTICE_PEER_READ -> {
                Track t = track(n.getConversationId());
                if (n.getSeq() > t.peerReadSeq) {
                    t.peerReadSeq = n.getSeq();
                    listener.onPeerRead(t.id, n.getUid(), n.getSeq());
                }
            }
            case NOTICE_RECALLED -> {
                Track t = track(n.getConversationId());
                recalled(t, n.getSeq(), n.getMsgId(), n.getUid(), n.getSenderUid(), n.getVersion(), true, true);
            }
            case NOTICE_DELETED -> deleted(track(n.getConversationId()), n.getSeqsList(), n.getVersion(), true, true);
            case NOTICE_CLEARED -> cleared(track(n.getConversationId()), n.getSeq(), n.getVersion(), true);
            case NOTICE_REACTED, NOTICE_EDITED -> {
                if (n.hasMessage()) {
                    listener.onChanged(n.getMessage());
                }
            }
            default -> {
                // a newer server's notice (docs/PROTOCOL.md §7.1: treat unknown values like the 0 value)
            }
        }
    }

    /**
     * Sets the read position the server stored and its exact unread count after it; false when the position did
     * not move (stale, duplicate, or a READ at or below the stored position).
     */
    private boolean read(Track t, long seq, long serverUnread, long version) {
        if (version > 0 && version < t.rowVersion) {
            return false; // a newer state of the row is known already
        }
        t.rowVersion = Math.max(t.rowVersion, version);
        t.lastSeq = Math.max(t.lastSeq, seq); // the server stores at most its newest seq
        boolean moved = seq > t.readSeq;
        if (moved) {
            t.readSeq = seq;
        }
        t.counted.headSet(t.floor(), true).clear();
        // the count was taken when the read was applied; messages this client counted above the position may have
        // been stored after that (pushed while the read was on its way): they count either way
        changeUnread(t, Math.max(Math.max(0, serverUnread), t.counted.size()));
        return moved;
    }

    /** This user wrote at {@code seq}: everything up to it is read. */
    private void readThrough(Track t, long seq) {
        if (seq > t.readSeq) {
            t.readSeq = seq;
        }
        t.counted.headSet(seq, true).clear();
        changeUnread(t, t.counted.size());
    }

    /**
     * @param by        who recalled it (0 unknown)
     * @param sender    who sent it (0 unknown)
     * @param report    whether to tell the app (a NOTICE, or a placeholder of a seq it got before)
     * @param afterSync the recall may postdate the last SYNC's numbers (a NOTICE, a RECALL_ACK), so the message
     *                  may be among the unread that SYNC counted without naming them
     */
    private void recalled(Track t, long seq, long msgId, long by, long sender, long version, boolean report,
                          boolean afterSync) {
        if (seq <= 0 || !t.recalled.add(seq)) {
            return;
        }
        if (!t.deleted.contains(seq)) {
            uncount(t, seq, afterSync && (sender == 0 || sender != ownUid));
        }
        if (report) {
            listener.onRecalled(new RecalledMessage(t.id, seq, msgId, by, version, sender));
        }
    }

    /** Like {@link #recalled}, for this user's deletions for themselves; reports the seqs not known deleted yet. */
    private void deleted(Track t, List<Long> seqs, long version, boolean report, boolean afterSync) {
        if (version > 0) {
            t.rowVersion = Math.max(t.rowVersion, version);
        }
        TreeSet<Long> news = new TreeSet<>();
        for (long seq : seqs) {
            if (seq > 0 && t.deleted.add(seq)) {
                news.add(seq);
                if (!t.recalled.contains(seq)) {
                    uncount(t, seq, afterSync);
                }
            }
        }
        if (report && !news.isEmpty()) {
            listener.onDeleted(t.id, List.copyOf(news));
        }
    }

    /** Takes {@code seq} out of the unread count if it was in it. */
    private void uncount(Track t, long seq, boolean mayBeUnnamed) {
        if (t.counted.remove(seq)) {
            changeUnread(t, t.unread - 1);
        } else if (mayBeUnnamed && seq > t.floor() && seq <= t.lastSeq && t.unread > t.counted.size()) {
            changeUnread(t, t.unread - 1); // one the SYNC counted without naming it
        }
    }

    /** The history was cleared up to {@code seq}: nothing at or below it counts. */
    private void cleared(Track t, long seq, long version, boolean report) {
        if (version > 0) {
            t.rowVersion = Math.max(t.rowVersion, version);
        }
        if (seq <= t.clearedSeq) {
            return;
        }
        long unnamed = Math.max(0, t.unread - t.counted.size());
        t.clearedSeq = seq;
        t.lastSeq = Math.max(t.lastSeq, seq); // the server clears at most up to its newest seq
        t.counted.headSet(seq, true).clear();
        long left = t.counted.size();
        // what the SYNC counted without naming lies at or below lastSeq, on positions not named by `counted`;
        // exact when the clear reaches the newest message, an upper bound otherwise
        long room = Math.max(0, t.lastSeq - t.floor() - left);
        changeUnread(t, left + Math.min(unnamed, room));
        if (report) {
            listener.onCleared(t.id, seq);
        }
    }

    /** A SYNC row whose newest message, one this client holds, became a placeholder. */
    private void reportRecalledLast(Track t, ConversationInfo c) {
        if (!c.hasLastMessage()) {
            return;
        }
        Message last = c.getLastMessage();
        if (last.getStatus() == MessageStatus.RECALLED && last.getSeq() > 0 && last.getSeq() <= t.heldSeq
                && last.getSeq() > t.clearedSeq && t.recalled.add(last.getSeq())) {
            t.counted.remove(last.getSeq());
            listener.onRecalled(new RecalledMessage(t.id, last.getSeq(), last.getMsgId(), 0, last.getVersion(),
                    last.getSenderUid()));
        }
    }

    private void changeUnread(Track t, long unread) {
        unread = Math.max(0, unread);
        if (unread == t.unread) {
            return;
        }
        if (!t.muted) {
            totalUnread = Math.max(0, totalUnread + unread - t.unread);
        }
        t.unread = unread;
        listener.onUnreadChanged(t.id, unread, totalUnread);
    }

    private Track track(String conversationId) {
        return tracks.computeIfAbsent(conversationId, id -> new Track(id, Math.max(0, heldBefore.applyAsLong(id))));
    }

    private static final class Track {
        final String id;
        long readSeq;
        long clearedSeq;
        long unread;
        long peerReadSeq;
        /** The newest seq accounted for: counted, read, or included in a SYNC's numbers. */
        long lastSeq;
        boolean muted;
        long pinnedAt;
        boolean hidden;
        /** A seq whose message mentions this user; "@me" while above the floor. */
        long mentionSeq;
        /** The newest seq the app holds: delivered to it, or sent by this device. */
        long heldSeq;
        /** The version of the row the numbers come from (SYNC, READ/DELETE/CLEAR acks and NOTICEs). */
        long rowVersion;
        /** Seqs of others' messages this client counted as unread itself (above the floor). */
        final TreeSet<Long> counted = new TreeSet<>();
        /** Seqs known to be recalled (each is handled once). */
        final Set<Long> recalled = new HashSet<>();
        /** Seqs this user deleted for themselves (each is handled once). */
        final Set<Long> deleted = new HashSet<>();

        Track(String id, long heldBefore) {
            this.id = id;
            this.heldSeq = heldBefore;
        }

        /** Nothing at or below this counts as unread: read or cleared. */
        long floor() {
            return Math.max(readSeq, clearedSeq);
        }

        ConversationState snapshot() {
            return new ConversationState(id, readSeq, unread, peerReadSeq, lastSeq, muted, pinnedAt, hidden,
                    clearedSeq, mentionSeq > floor());
        }
    }
}
