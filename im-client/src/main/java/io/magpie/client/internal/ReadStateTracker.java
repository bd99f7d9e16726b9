package io.magpie.client.internal;

import io.magpie.client.ConversationState;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.SyncAck;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Read positions, unread counts and read receipts per conversation, on the client (docs/PROTOCOL.md §9.9,
 * §9.10), as a state machine without I/O: it is told what the client saw (SYNC_ACK pages, delivered messages,
 * this device's SEND_ACKs, READ_ACKs and RECALL_ACKs, NOTICEs) and reports changes to a {@link MessageListener}.
 *
 * <ul>
 *   <li>A SYNC_ACK row resets the conversation to the server's exact numbers, unless the client already saw a
 *       newer version of that row (a READ_ACK or NOTICE_READ that the answer predates); messages the client
 *       counted above the row's {@code last_seq} (pushed after the answer was built) are added back. The total
 *       is the answer's {@code total_unread}, corrected by those and by the rows the answer had stale.</li>
 *   <li>A delivered message of someone else, not recalled, above the read position and above what was already
 *       counted adds one. One of this user's own (delivered from another device, or this device's SEND_ACK)
 *       reads everything up to it: unread 0.</li>
 *   <li>A read (NOTICE_READ, this device's READ_ACK) forgets the counted messages at or below it; unread the
 *       SYNC counted without naming them shrinks to what can still lie above the new position (exact when it
 *       reaches the newest message).</li>
 *   <li>A recall of a counted message takes one away; of an uncounted one above the read position that the
 *       SYNC may have counted, too. Each (conversation, seq) is recalled once.</li>
 * </ul>
 *
 * <p>Not thread-safe: the owner ({@link DeliveryCoordinator}) serializes calls, and listeners are called from
 * inside them.
 */
public final class ReadStateTracker {

    private final MessageListener listener;
    private final Map<String, Track> tracks = new HashMap<>();
    private long ownUid;
    private long totalUnread;

    public ReadStateTracker(MessageListener listener) {
        this.listener = listener;
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

    /** One SYNC_ACK page. */
    public void synced(SyncAck ack) {
        long extra = 0;
        Map<String, Long> changed = new HashMap<>();
        for (ConversationInfo c : ack.getConversationsList()) {
            if (c.getConversationId().isEmpty()) {
                continue;
            }
            Track t = track(c.getConversationId());
            reportRecalledLast(t, c);
            long before = t.unread;
            if (c.getVersion() >= t.rowVersion) {
                t.rowVersion = c.getVersion();
                long read = Math.max(c.getReadSeq(), c.getClearedSeq());
                t.readSeq = read;
                t.peerReadSeq = c.getPeerReadSeq();
                t.muted = c.getMuted();
                // counted by us but newer than the answer: the server could not include them yet
                long through = Math.max(c.getLastSeq(), read);
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
            recalled(t, m.getSeq(), m.getMsgId(), 0, m.getVersion(), held, false);
            t.lastSeq = Math.max(t.lastSeq, m.getSeq());
            return;
        }
        if (m.getSeq() <= t.lastSeq) {
            return; // counted already, by a SYNC or earlier
        }
        t.lastSeq = m.getSeq();
        if (ownUid != 0 && m.getSenderUid() == ownUid) {
            readThrough(t, m.getSeq());
        } else if (m.getSeq() > t.readSeq && !t.recalled.contains(m.getSeq())) {
            t.counted.add(m.getSeq());
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

    /** This device's READ up to {@code seq} was acknowledged with the row's {@code version}. */
    public void readAcked(String conversationId, long seq, long version) {
        Track t = track(conversationId);
        // the server stores min(seq, its newest seq); the client cannot have read what it does not know of
        read(t, Math.min(seq, t.lastSeq), version);
    }

    /** This device's RECALL of {@code seq} was acknowledged with the message's new {@code version}. */
    public void recallAcked(String conversationId, long seq, long version) {
        Track t = track(conversationId);
        recalled(t, seq, 0, ownUid, version, false, true);
    }

    /** A NOTICE from the server. */
    public void notice(Notice n) {
        if (n.getConversationId().isEmpty()) {
            return;
        }
        switch (n.getType()) {
            case NOTICE_READ -> {
                Track t = track(n.getConversationId());
                if (read(t, n.getSeq(), n.getVersion())) {
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
                recalled(t, n.getSeq(), n.getMsgId(), n.getUid(), n.getVersion(), true, true);
            }
            default -> {
                // a newer server's notice (docs/PROTOCOL.md §7.1: treat unknown values like the 0 value)
            }
        }
    }

    /** Moves the read position to {@code seq}; false when nothing moved (stale or duplicate). */
    private boolean read(Track t, long seq, long version) {
        if (version > 0 && version < t.rowVersion) {
            return false; // a newer state of the row is known already
        }
        t.rowVersion = Math.max(t.rowVersion, version);
        if (seq <= t.readSeq) {
            return false;
        }
        long attributed = t.counted.size();
        long unnamed = Math.max(0, t.unread - attributed);
        t.readSeq = seq;
        t.counted.headSet(seq, true).clear();
        long left = t.counted.size();
        // what the SYNC counted without naming lies at or below lastSeq, on positions not named by `counted`
        long room = Math.max(0, t.lastSeq - seq - left);
        changeUnread(t, left + Math.min(unnamed, room));
        return true;
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
     * @param report    whether to tell the app (a NOTICE, or a placeholder of a seq it got before)
     * @param afterSync the recall may postdate the last SYNC's numbers (a NOTICE, a RECALL_ACK), so the message
     *                  may be among the unread that SYNC counted without naming them
     */
    private void recalled(Track t, long seq, long msgId, long by, long version, boolean report, boolean afterSync) {
        if (seq <= 0 || !t.recalled.add(seq)) {
            return;
        }
        if (t.counted.remove(seq)) {
            changeUnread(t, t.unread - 1);
        } else if (afterSync && seq > t.readSeq && seq <= t.lastSeq && t.unread > t.counted.size()
                && (by == 0 || by != ownUid)) {
            changeUnread(t, t.unread - 1); // one the SYNC counted without naming it
        }
        if (report) {
            listener.onRecalled(new RecalledMessage(t.id, seq, msgId, by, version));
        }
    }

    /** A SYNC row whose newest message, one this client holds, became a placeholder. */
    private void reportRecalledLast(Track t, ConversationInfo c) {
        if (!c.hasLastMessage()) {
            return;
        }
        Message last = c.getLastMessage();
        if (last.getStatus() == MessageStatus.RECALLED && last.getSeq() > 0 && last.getSeq() <= t.heldSeq
                && t.recalled.add(last.getSeq())) {
            t.counted.remove(last.getSeq());
            listener.onRecalled(new RecalledMessage(t.id, last.getSeq(), last.getMsgId(), 0, last.getVersion()));
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
        return tracks.computeIfAbsent(conversationId, Track::new);
    }

    private static final class Track {
        final String id;
        long readSeq;
        long unread;
        long peerReadSeq;
        /** The newest seq accounted for: counted, read, or included in a SYNC's numbers. */
        long lastSeq;
        boolean muted;
        /** The newest seq the app holds: delivered to it, or sent by this device. */
        long heldSeq;
        /** The version of the row the numbers come from (SYNC, READ_ACK, NOTICE_READ). */
        long rowVersion;
        /** Seqs of others' messages this client counted as unread itself (above readSeq). */
        final TreeSet<Long> counted = new TreeSet<>();
        /** Seqs known to be recalled (each is handled once). */
        final Set<Long> recalled = new HashSet<>();

        Track(String id) {
            this.id = id;
        }

        ConversationState snapshot() {
            return new ConversationState(id, readSeq, unread, peerReadSeq, lastSeq, muted);
        }
    }
}
