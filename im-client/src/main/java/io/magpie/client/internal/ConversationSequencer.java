package io.magpie.client.internal;

import io.magpie.client.ClientState;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.PullAck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-order, gap-free delivery per conversation (the client side of ARCHITECTURE §2 step 9), as a state
 * machine without I/O: it is told what arrived (PUSH, PULL_ACK, SYNC_ACK, the seq of this device's own
 * SEND_ACK) and answers with the messages to deliver, in order, through {@link Output}, and with the
 * PULL ranges to request.
 *
 * <p>Per conversation it keeps the last delivered seq L (in {@link ClientState}):
 * <ul>
 *   <li>seq == L + 1: delivered, then every buffered seq that now follows;</li>
 *   <li>seq <= L: a duplicate, not delivered (a recall/delete update of a delivered seq is news and is
 *       delivered);</li>
 *   <li>seq > L + 1: a gap: buffered, and [L + 1, first buffered seq - 1] is pulled (paged while the
 *       PULL_ACK has more). A range the server answered completely has no hole left: a seq it did not
 *       return (below the user's cleared or join seq) is skipped.</li>
 *   <li>this device's own message (known from its SEND_ACK) takes its seq without being delivered: the
 *       app has it already.</li>
 * </ul>
 * Where a conversation never seen starts: a SYNC_ACK that lists it says so (from its cleared seq, so its
 * history up to {@code last_seq} is pulled); after any complete sync, a conversation still unknown is
 * new, so it starts at 0; if the server refused SYNC for good (one that is not answered in time is asked
 * again, see DeliveryCoordinator) the first seq that arrives is taken as the start. While the first sync
 * runs, messages of unknown conversations wait.
 *
 * <p>Only one PULL per conversation is in flight. Thread-safety: none; the owner serializes calls.
 */
public final class ConversationSequencer {

    /** Where the sequencer's decisions go. */
    public interface Output {
        /** Hand a message to the application. */
        void deliver(Message message);

        /** The last delivered seq of a conversation rose (already saved in the state). */
        default void advanced(String conversationId, long lastDelivered) {
        }
    }

    /** A PULL to request: {@code [fromSeq, toSeq]} of a conversation. */
    public record PullRange(String conversationId, long fromSeq, long toSeq) {
    }

    private static final Logger log = LoggerFactory.getLogger(ConversationSequencer.class);
    /** Stands for this device's own message in the buffer: takes the seq, is not delivered. */
    private static final Message OWN = Message.newBuilder().setClientMsgId("\u0000own").build();
    private static final long UNKNOWN = -1;

    private final ClientState state;
    private final Map<String, Track> tracks = new HashMap<>();
    private boolean syncing;
    private boolean everSynced;
    private long delivered;
    private long duplicates;
    private long pulledMessages;

    public ConversationSequencer(ClientState state) {
        this.state = state;
        this.everSynced = state.syncVersion() > 0;
    }

    /** Messages of a PUSH; returns the pulls to request. */
    public List<PullRange> pushed(List<Message> messages, Output out) {
        List<Track> touched = new ArrayList<>();
        for (Message m : messages) {
            if (m.getSeq() <= 0 || m.getConversationId().isEmpty()) {
                deliver(m, out); // nothing to order it by
                continue;
            }
            Track t = track(m.getConversationId());
            if (t.last != UNKNOWN && m.getSeq() <= t.last) {
                if (m.getStatus() != MessageStatus.NORMAL) {
                    deliver(m, out); // a recall/delete of a delivered message: news, not a duplicate
                } else {
                    duplicates++;
                }
                continue;
            }
            Message buffered = t.waiting.get(m.getSeq());
            if (buffered != null && (buffered == OWN || m.getStatus() == MessageStatus.NORMAL)) {
                duplicates++;
                continue;
            }
            t.waiting.put(m.getSeq(), m);
            if (!touched.contains(t)) {
                touched.add(t);
            }
        }
        List<PullRange> pulls = new ArrayList<>();
        for (Track t : touched) {
            advance(t, out, pulls);
        }
        return pulls;
    }

    /** This device's own message got {@code seq} (SEND_ACK): it takes the seq without being delivered. */
    public List<PullRange> sent(String conversationId, long seq, Output out) {
        List<PullRange> pulls = new ArrayList<>();
        if (seq <= 0 || conversationId.isEmpty()) {
            return pulls;
        }
        Track t = track(conversationId);
        if (t.last != UNKNOWN && seq <= t.last) {
            return pulls;
        }
        t.waiting.put(seq, OWN);
        advance(t, out, pulls);
        return pulls;
    }

    /** The answer to {@code range}; returns the next page or gap to pull. */
    public List<PullRange> pulled(PullRange range, PullAck ack, Output out) {
        List<PullRange> pulls = new ArrayList<>();
        Track t = track(range.conversationId());
        boolean current = range.equals(t.inFlight);
        if (current) {
            t.inFlight = null;
        }
        if (t.last == UNKNOWN) {
            // only resolved conversations are pulled; a stray answer cannot place anything
            log.debug("[conv={}] ignoring a PULL_ACK for a conversation without position", range.conversationId());
            return pulls;
        }
        long highest = UNKNOWN;
        for (Message m : ack.getMessagesList()) {
            pulledMessages++;
            long seq = m.getSeq();
            if (!m.getConversationId().equals(range.conversationId()) || seq < range.fromSeq()
                    || seq > range.toSeq()) {
                continue;
            }
            highest = Math.max(highest, seq);
            if (seq <= t.last || t.waiting.get(seq) == OWN) {
                if (seq <= t.last) {
                    duplicates++;
                }
                continue;
            }
            t.waiting.put(seq, m);
        }
        boolean more = ack.getHasMore() && highest != UNKNOWN && highest < range.toSeq();
        if (ack.getHasMore() && highest == UNKNOWN) {
            log.warn("[conv={}] PULL [{}, {}] answered has_more without messages; taking the range as complete",
                    range.conversationId(), range.fromSeq(), range.toSeq());
        }
        // Everything up to `covered` was answered: a seq missing there is one the server does not give us.
        long covered = more ? highest : range.toSeq();
        if (current) {
            skipThrough(t, covered, out);
            if (more) {
                t.inFlight = new PullRange(range.conversationId(), highest + 1, range.toSeq());
                pulls.add(t.inFlight);
                return pulls;
            }
        }
        advance(t, out, pulls);
        return pulls;
    }

    /** The PULL of {@code range} failed; {@link #resume} asks for it again. */
    public void pullFailed(PullRange range) {
        Track t = tracks.get(range.conversationId());
        if (t != null && range.equals(t.inFlight)) {
            t.inFlight = null;
        }
    }

    /** Re-evaluates one conversation (after a failed pull): the pulls it still needs. */
    public List<PullRange> resume(String conversationId, Output out) {
        List<PullRange> pulls = new ArrayList<>();
        Track t = tracks.get(conversationId);
        if (t != null) {
            advance(t, out, pulls);
        }
        return pulls;
    }

    /** A SYNC starts: until {@link #syncFinished}, messages of unknown conversations wait if none completed yet. */
    public void syncStarted() {
        syncing = true;
    }

    /** One SYNC_ACK page: where each listed conversation stands; returns the pulls to catch up. */
    public List<PullRange> synced(List<ConversationInfo> conversations, Output out) {
        List<PullRange> pulls = new ArrayList<>();
        for (ConversationInfo c : conversations) {
            if (c.getConversationId().isEmpty()) {
                continue;
            }
            Track t = track(c.getConversationId());
            long start = Math.max(0, c.getClearedSeq());
            if (t.last == UNKNOWN || t.last < start) {
                // unknown: its history starts after what the user cleared; known: cleared seqs are not shown
                setLast(t, start, out);
            }
            t.wanted = Math.max(t.wanted, c.getLastSeq());
            advance(t, out, pulls);
        }
        return pulls;
    }

    /** The SYNC ended ({@code complete}: every page arrived); releases what waited for it. */
    public List<PullRange> syncFinished(boolean complete, Output out) {
        syncing = false;
        everSynced |= complete;
        List<PullRange> pulls = new ArrayList<>();
        for (Track t : List.copyOf(tracks.values())) {
            advance(t, out, pulls);
        }
        return pulls;
    }

    /** The last delivered seq of a conversation, or -1 if it is unknown. */
    public long lastDelivered(String conversationId) {
        Track t = tracks.get(conversationId);
        if (t != null) {
            return t.last;
        }
        OptionalLong saved = state.lastDelivered(conversationId);
        return saved.isPresent() ? saved.getAsLong() : UNKNOWN;
    }

    public long delivered() {
        return delivered;
    }

    public long duplicates() {
        return duplicates;
    }

    public long pulledMessages() {
        return pulledMessages;
    }

    /** Conversations with buffered messages or a pull in flight (for tests). */
    int openConversations() {
        return tracks.size();
    }

    private Track track(String conversationId) {
        return tracks.computeIfAbsent(conversationId, id -> {
            Track t = new Track(id);
            OptionalLong saved = state.lastDelivered(id);
            if (saved.isPresent()) {
                t.last = saved.getAsLong();
            }
            return t;
        });
    }

    /** Gives an unknown conversation its start, if it can have one now. */
    private boolean resolve(Track t, Output out) {
        if (t.last != UNKNOWN) {
            return true;
        }
        if (everSynced) {
            setLast(t, 0, out); // not in any sync: it began after it, all of it is new
            return true;
        }
        if (syncing || t.waiting.isEmpty()) {
            return false;
        }
        // no sync information at all: the first seq that arrived is where this client starts
        long start = t.waiting.firstKey() - 1;
        log.debug("[conv={}] no sync information; starting at seq {}", t.conversationId, start + 1);
        setLast(t, start, out);
        return true;
    }

    /** Delivers in order what can be, then asks for the first gap. */
    private void advance(Track t, Output out, List<PullRange> pulls) {
        if (!resolve(t, out)) {
            return;
        }
        long before = t.last;
        t.waiting.headMap(t.last, true).clear();
        Message next;
        while ((next = t.waiting.remove(t.last + 1)) != null) {
            t.last++;
            if (next != OWN) {
                deliver(next, out);
            }
        }
        if (t.last != before) {
            saved(t, out);
        }
        if (t.inFlight == null) {
            long upper = t.waiting.isEmpty() ? t.wanted : t.waiting.firstKey() - 1;
            if (upper > t.last) {
                t.inFlight = new PullRange(t.conversationId, t.last + 1, upper);
                log.debug("[conv={}] gap after seq {}: pulling [{}, {}]", t.conversationId, t.last, t.last + 1, upper);
                pulls.add(t.inFlight);
            }
        }
        if (t.inFlight == null && t.waiting.isEmpty()) {
            tracks.remove(t.conversationId); // nothing pending: the state holds all there is to know
        }
    }

    /** Delivers through {@code covered}, skipping the seqs the server did not return. */
    private void skipThrough(Track t, long covered, Output out) {
        long before = t.last;
        while (t.last < covered) {
            Message m = t.waiting.remove(t.last + 1);
            t.last++;
            if (m != null && m != OWN) {
                deliver(m, out);
            }
        }
        if (t.last != before) {
            saved(t, out);
        }
    }

    private void setLast(Track t, long last, Output out) {
        t.last = last;
        t.waiting.headMap(last, true).clear();
        saved(t, out);
    }

    private void saved(Track t, Output out) {
        state.saveLastDelivered(t.conversationId, t.last);
        out.advanced(t.conversationId, t.last);
    }

    private void deliver(Message m, Output out) {
        delivered++;
        out.deliver(m);
    }

    private static final class Track {
        final String conversationId;
        /** Last delivered seq, or UNKNOWN. */
        long last = UNKNOWN;
        /** Arrived ahead of a gap (or while the start is unknown), by seq; OWN for this device's sends. */
        final TreeMap<Long, Message> waiting = new TreeMap<>();
        /** Highest seq known to exist (from SYNC). */
        long wanted;
        PullRange inFlight;

        Track(String conversationId) {
            this.conversationId = conversationId;
        }
    }
}
