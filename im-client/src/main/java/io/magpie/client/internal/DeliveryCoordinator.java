package io.magpie.client.internal;

import io.magpie.client.ClientState;
import io.magpie.client.ConversationState;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.DeliveryException;
import io.magpie.client.DeliveryStats;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.client.internal.ConversationSequencer.PullRange;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link ConversationSequencer} over the live connection: PUSHes and this device's SEND_ACKs go
 * in, ordered messages go to the listeners, and the PULLs it asks for are sent (a retryable failure is
 * tried again after a backoff, never sooner than the gate's retry-after, while connected, or after the next
 * login; a refusal for good is reported and its range skipped so the conversation does not stall). After every login it SYNCs from the
 * state's version, page by page, and catches up every listed conversation by PULL; the new version is
 * saved only once every conversation of that sync is caught up, so a crash in between syncs again. Read
 * positions, unread counts, receipts, recalls, deletions and clears follow what it sees ({@link
 * ReadStateTracker}): SYNC answers, delivered messages, this device's SEND_ACKs and READ/RECALL/DELETE/CLEAR acks,
 * and NOTICEs. After a login's SYNC, the conversations whose row moved and of which the app holds messages are
 * asked what changed since the version the client knew ({@link VersionCatchUp}), so recalls and deletions made
 * while this device was offline are reported. {@link #syncNow} SYNCs on demand (after a settings change).
 *
 * <p>Thread-safe: the sequencer and the listeners run under this object's lock, so messages reach the
 * listeners in order even when connections (and event loops) change; requests are sent outside it.
 */
public final class DeliveryCoordinator implements ConnectionSupervisor.SessionHooks {

    private static final Logger log = LoggerFactory.getLogger(DeliveryCoordinator.class);

    private final ConversationSequencer sequencer;
    private final ClientState state;
    private final Listeners listeners;
    private final Supplier<ClientConnection> current;
    private final ScheduledExecutorService scheduler;
    private final ReconnectBackoff retryBackoff;
    private final int syncPageSize;
    private final int pullPageSize;
    private final ConversationSequencer.Output output;
    private final ReadStateTracker readState;
    private final VersionCatchUp catchUp;

    // Guarded by this.
    private long syncGeneration;
    /** Conversations of the sync in progress (or last finished one) not caught up yet: id -> last seq. */
    private final Map<String, Long> syncTargets = new HashMap<>();
    /** Version to save once syncTargets is empty; -1 = none pending. */
    private long pendingVersion = -1;
    private final Map<String, Integer> pullFailures = new HashMap<>();
    private long pulls;
    /** The running sync follows a login: its rows are considered for the version catch-up. */
    private boolean catchUpRows;
    /** {@link #syncNow} callers waiting for the next sync to finish. */
    private final List<CompletableFuture<Void>> syncWaiters = new ArrayList<>();
    /** Failed SYNC requests of the running sync, for the retry backoff. */
    private int syncFailures;
    private String who = "[client]";

    /**
     * @param current      the logged-in connection requests go to, or null
     * @param scheduler    runs pull retries
     * @param retryBackoff delays between retries of a failed pull
     */
    public DeliveryCoordinator(ClientState state, Listeners listeners, Supplier<ClientConnection> current,
                               ScheduledExecutorService scheduler, ReconnectBackoff retryBackoff, int syncPageSize,
                               int pullPageSize) {
        this.state = state;
        this.sequencer = new ConversationSequencer(state);
        this.listeners = listeners;
        this.current = current;
        this.scheduler = scheduler;
        this.retryBackoff = retryBackoff;
        this.syncPageSize = syncPageSize;
        this.pullPageSize = pullPageSize;
        this.readState = new ReadStateTracker(listeners, id -> state.lastDelivered(id).orElse(0));
        this.catchUp = new VersionCatchUp(this, state, current, scheduler, retryBackoff, pullPageSize, listeners,
                readState::caughtUp);
        this.output = new ConversationSequencer.Output() {
            @Override
            public void deliver(Message message) {
                listeners.onMessage(message);
                readState.delivered(message);
                catchUp.noteVersion(message.getConversationId(),
                        message.getVersion() > 0 ? message.getVersion() : message.getMsgId());
            }

            @Override
            public void advanced(String conversationId, long lastDelivered) {
                caughtUp(conversationId, lastDelivered);
            }
        };
    }

    @Override
    public void onPush(Push push) {
        List<PullRange> ranges;
        synchronized (this) {
            ranges = sequencer.pushed(push.getMessagesList(), output);
        }
        request(ranges);
    }

    /** This device's message was stored with {@code seq} and {@code msgId} (SEND_ACK). */
    public void onSent(String conversationId, long seq, long msgId) {
        List<PullRange> ranges;
        synchronized (this) {
            readState.sent(conversationId, seq);
            catchUp.noteVersion(conversationId, msgId); // a message's first version is its msg id
            ranges = sequencer.sent(conversationId, seq, output);
        }
        request(ranges);
    }

    @Override
    public synchronized void onNotice(Notice notice) {
        readState.notice(notice);
        if (notice.getType() == NoticeType.NOTICE_RECALLED || notice.getType() == NoticeType.NOTICE_REACTED
                || notice.getType() == NoticeType.NOTICE_EDITED) {
            catchUp.noteVersion(notice.getConversationId(), notice.getVersion());
        }
        // a deletion's version is a row version, not taken in step with the messages' ones: not a cursor
    }

    /** This device's READ of {@code conversationId} up to {@code seq} was acknowledged with {@code ack}. */
    public synchronized void onReadAcked(String conversationId, long seq, ActionAck ack) {
        readState.readAcked(conversationId, seq, ack);
    }

    /** This device's RECALL of {@code seq} was acknowledged (RECALL_ACK). */
    public synchronized void onRecallAcked(String conversationId, long seq, long version) {
        readState.recallAcked(conversationId, seq, version);
        catchUp.noteVersion(conversationId, version);
    }

    /** This device's REACT or EDIT was acknowledged: the message's new {@code version} is a catch-up cursor. */
    public synchronized void onChangeAcked(String conversationId, long version) {
        catchUp.noteVersion(conversationId, version);
    }

    /** This device's DELETE of {@code seqs} was acknowledged with the row's {@code version} (DELETE_ACK). */
    public synchronized void onDeleteAcked(String conversationId, List<Long> seqs, long version) {
        readState.deleteAcked(conversationId, seqs, version);
    }

    /** This device's CLEAR was acknowledged (CLEAR_ACK): cleared up to {@code clearedSeq}, row {@code version}. */
    public synchronized void onClearAcked(String conversationId, long clearedSeq, long version) {
        readState.clearAcked(conversationId, clearedSeq, version);
    }

    /** Where one conversation stands (read position, unread, receipt), if the client has seen it. */
    public synchronized Optional<ConversationState> conversationState(String conversationId) {
        return readState.state(conversationId);
    }

    /** Every conversation the client has seen, by id. */
    public synchronized Map<String, ConversationState> conversationStates() {
        return readState.states();
    }

    /** Unread over all conversations, muted ones excluded (exact at each SYNC, kept up to date in between). */
    public synchronized long totalUnread() {
        return readState.totalUnread();
    }

    /** The newest seq of a conversation this client knows of, 0 if none. */
    public synchronized long lastSeq(String conversationId) {
        return readState.lastSeq(conversationId);
    }

    @Override
    public void onLoggedIn(ClientConnection connection) {
        long generation;
        long since = state.syncVersion();
        List<VersionCatchUp.Start> resumed;
        synchronized (this) {
            LoginAck ack = connection.handler().loginFuture().getNow(null);
            if (ack != null) {
                who = "[uid=" + ack.getUid() + " device=" + ack.getDeviceId() + "]";
                readState.loggedIn(ack.getUid());
            }
            catchUp.loggedIn(who);
            catchUpRows = true;
            generation = startSync();
            resumed = catchUp.resumeUnfinished();
        }
        catchUp.start(resumed);
        syncPage(connection, generation, since);
    }

    /**
     * SYNCs now from the last complete sync's version (as after a login, without the version catch-up): picks up
     * what changed on the server that no PUSH or NOTICE carries, such as the list settings (mute, pin, hide).
     * Completes once the answer's pages were applied (a SYNC without an answer is asked again while the connection
     * lasts); fails when not connected, when the connection closed first, or when the server refused the SYNC.
     */
    public CompletableFuture<Void> syncNow() {
        ClientConnection connection = current.get();
        if (connection == null) {
            return CompletableFuture.failedFuture(new ConnectionLostException("SYNC not sent: not connected; the"
                    + " client syncs by itself after the next login"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        long generation;
        long since = state.syncVersion();
        synchronized (this) {
            syncWaiters.add(done);
            generation = startSync();
        }
        syncPage(connection, generation, since);
        return done;
    }

    /** Under the lock: a new sync supersedes the running one (its answers are ignored). */
    private long startSync() {
        syncTargets.clear();
        syncFailures = 0;
        pendingVersion = -1;
        sequencer.syncStarted();
        return ++syncGeneration;
    }

    public synchronized DeliveryStats stats() {
        return new DeliveryStats(sequencer.delivered(), sequencer.duplicates(), pulls, sequencer.pulledMessages());
    }

    private void syncPage(ClientConnection connection, long generation, long since) {
        SyncRequest request = SyncRequest.newBuilder().setSinceVersion(since).setLimit(syncPageSize).build();
        connection.handler().request(Command.SYNC, request, Command.SYNC_ACK, SyncAck.parser())
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        syncFailed(connection, generation, since, Futures.unwrap(error));
                    } else {
                        synced(connection, generation, since, ack);
                    }
                });
    }

    private void synced(ClientConnection connection, long generation, long since, SyncAck ack) {
        List<PullRange> ranges;
        List<VersionCatchUp.Start> catchUps = new ArrayList<>();
        List<CompletableFuture<Void>> finished = List.of();
        boolean nextPage = ack.getHasMore() && ack.getVersion() > since;
        synchronized (this) {
            if (generation != syncGeneration) {
                return; // a newer login syncs again
            }
            if (catchUpRows) {
                for (ConversationInfo c : ack.getConversationsList()) {
                    catchUp.consider(c, readState.rowVersion(c.getConversationId()),
                            sequencer.lastDelivered(c.getConversationId())).ifPresent(catchUps::add);
                }
            }
            readState.synced(ack);
            ranges = new ArrayList<>(sequencer.synced(ack.getConversationsList(), output));
            for (ConversationInfo c : ack.getConversationsList()) {
                if (sequencer.lastDelivered(c.getConversationId()) < c.getLastSeq()) {
                    syncTargets.merge(c.getConversationId(), c.getLastSeq(), Math::max);
                }
            }
            if (!nextPage) {
                if (ack.getHasMore()) {
                    log.warn("{} SYNC_ACK says has_more but its version {} did not move past {}; taking the sync as"
                            + " complete", who, ack.getVersion(), since);
                }
                log.debug("{} synced to version {}; {} conversations to catch up", who, ack.getVersion(),
                        syncTargets.size());
                pendingVersion = ack.getVersion();
                ranges.addAll(sequencer.syncFinished(true, output));
                saveVersionIfCaughtUp();
                catchUpRows = false;
                finished = takeSyncWaiters();
            }
        }
        request(ranges);
        catchUp.start(catchUps);
        finished.forEach(f -> f.complete(null));
        if (nextPage) {
            syncPage(connection, generation, ack.getVersion());
        }
    }

    /**
     * A SYNC page failed. Retryable (no answer in time, SERVER_BUSY, a storage error) on a connection that is still
     * the current one: the page is asked again after a backoff, and messages of conversations this client has no
     * position for keep waiting, because taking the first seq that arrives as a start would skip the seqs before
     * it for good (a SYNC times out while the logic partitions move, and the first message of a new conversation
     * may arrive after the second). The connection is gone: the next login SYNCs again. Refused for good: what
     * arrives is delivered in order from its first seq, and missed messages come with the next sync.
     */
    private void syncFailed(ClientConnection connection, long generation, long since, Throwable error) {
        boolean retryable = !(error instanceof MagpieException me) || me.retryable();
        if (retryable) {
            int attempt;
            List<CompletableFuture<Void>> orphaned = List.of();
            // a closing connection fails its requests before it reports the close: the loss is the closing
            boolean connected = current.get() == connection && !(error instanceof ConnectionLostException);
            synchronized (this) {
                if (generation != syncGeneration) {
                    return;
                }
                attempt = ++syncFailures;
                if (!connected) {
                    orphaned = takeSyncWaiters();
                }
            }
            if (!connected) {
                log.debug("{} SYNC failed while the connection went away ({}); the next login syncs again", who,
                        error.toString());
                orphaned.forEach(f -> f.completeExceptionally(error));
                return;
            }
            long delay = retryBackoff.delay(Math.min(attempt, 30)).toMillis();
            if (error instanceof MagpieErrorException refused) {
                delay = Math.max(delay, refused.retryAfter().toMillis());
            }
            log.info("{} SYNC failed ({}); asking again in {} ms (attempt {}); messages of conversations not known"
                    + " yet wait for it", who, error.toString(), delay, attempt);
            if (attempt == 1) {
                listeners.onError(new DeliveryException(who + " SYNC after login failed: " + error.getMessage()
                        + "; the client asks again until it is answered or the connection closes", error, true));
            }
            try {
                scheduler.schedule(() -> retrySync(connection, generation, since), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("{} not retrying the SYNC: the event loop is shutting down", who);
            }
            return;
        }
        List<PullRange> ranges;
        List<CompletableFuture<Void>> waiting;
        synchronized (this) {
            if (generation != syncGeneration) {
                return;
            }
            log.warn("{} SYNC refused for good ({}); delivering what arrives in order from its first seq, missed"
                    + " messages come with the next sync", who, error.toString());
            ranges = sequencer.syncFinished(false, output);
            waiting = takeSyncWaiters();
        }
        waiting.forEach(f -> f.completeExceptionally(error));
        listeners.onError(new DeliveryException(who + " SYNC after login refused: " + error.getMessage()
                + "; messages missed while offline arrive after the next successful sync", error, false));
        request(ranges);
    }

    private void retrySync(ClientConnection connection, long generation, long since) {
        List<CompletableFuture<Void>> orphaned;
        synchronized (this) {
            if (generation != syncGeneration) {
                return; // a newer sync (a login, syncNow) took over
            }
            if (current.get() == connection) {
                orphaned = null;
            } else {
                orphaned = takeSyncWaiters();
            }
        }
        if (orphaned == null) {
            syncPage(connection, generation, since);
            return;
        }
        log.debug("{} not asking the SYNC again: the connection went away; the next login syncs again", who);
        ConnectionLostException lost = new ConnectionLostException(who + " SYNC not answered before the connection"
                + " closed; the client syncs by itself after the next login");
        orphaned.forEach(f -> f.completeExceptionally(lost));
    }

    /** Under the lock: the {@link #syncNow} callers of the running sync, which the caller completes outside it. */
    private List<CompletableFuture<Void>> takeSyncWaiters() {
        List<CompletableFuture<Void>> waiting = List.copyOf(syncWaiters);
        syncWaiters.clear();
        return waiting;
    }

    /** Called under the lock when a conversation's last delivered seq rose. */
    private void caughtUp(String conversationId, long lastDelivered) {
        Long target = syncTargets.get(conversationId);
        if (target != null && lastDelivered >= target) {
            syncTargets.remove(conversationId);
            saveVersionIfCaughtUp();
        }
    }

    private void saveVersionIfCaughtUp() {
        if (pendingVersion >= 0 && syncTargets.isEmpty()) {
            state.saveSyncVersion(pendingVersion);
            pendingVersion = -1;
        }
    }

    private void request(List<PullRange> ranges) {
        for (PullRange range : ranges) {
            pull(range);
        }
    }

    private void pull(PullRange range) {
        ClientConnection connection = current.get();
        synchronized (this) {
            pulls++;
        }
        if (connection == null) {
            pullFailed(range, new ConnectionLostException("not connected"));
            return;
        }
        PullRequest request = PullRequest.newBuilder()
                .setConversationId(range.conversationId())
                .setFromSeq(range.fromSeq())
                .setToSeq(range.toSeq())
                .setLimit(pullPageSize)
                .build();
        connection.handler().request(Command.PULL, request, Command.PULL_ACK, PullAck.parser())
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        pullFailed(range, Futures.unwrap(error));
                    } else {
                        pulled(range, ack);
                    }
                });
    }

    private void pulled(PullRange range, PullAck ack) {
        List<PullRange> ranges;
        synchronized (this) {
            pullFailures.remove(range.conversationId());
            ranges = sequencer.pulled(range, ack, output);
        }
        request(ranges);
    }

    private void pullFailed(PullRange range, Throwable error) {
        boolean retryable = !(error instanceof MagpieException me) || me.retryable();
        if (!retryable) {
            List<PullRange> ranges;
            synchronized (this) {
                log.warn("{} [conv={}] PULL [{}, {}] refused for good ({}); skipping that range", who,
                        range.conversationId(), range.fromSeq(), range.toSeq(), error.toString());
                pullFailures.remove(range.conversationId());
                ranges = sequencer.pulled(range, PullAck.getDefaultInstance(), output);
            }
            listeners.onError(new DeliveryException(who + " PULL of " + range.conversationId() + " ["
                    + range.fromSeq() + ", " + range.toSeq() + "] refused: " + error.getMessage()
                    + "; those messages are skipped", error, false));
            request(ranges);
            return;
        }
        int attempt;
        synchronized (this) {
            sequencer.pullFailed(range);
            attempt = pullFailures.merge(range.conversationId(), 1, Integer::sum);
        }
        if (current.get() == null) {
            log.debug("{} [conv={}] PULL failed while disconnected ({}); the next login resumes it", who,
                    range.conversationId(), error.toString());
            return;
        }
        long delay = retryBackoff.delay(Math.min(attempt, 30)).toMillis();
        if (error instanceof MagpieErrorException refused) {
            // the gate's own advice (RATE_LIMITED after the connection's resends ran out, SERVER_BUSY) comes first
            delay = Math.max(delay, refused.retryAfter().toMillis());
        }
        log.info("{} [conv={}] PULL [{}, {}] failed ({}); retrying in {} ms", who, range.conversationId(),
                range.fromSeq(), range.toSeq(), error.toString(), delay);
        try {
            scheduler.schedule(() -> resume(range.conversationId()), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{} not retrying the PULL: the event loop is shutting down", who);
        }
    }

    private void resume(String conversationId) {
        List<PullRange> ranges;
        synchronized (this) {
            ranges = sequencer.resume(conversationId, output);
        }
        request(ranges);
    }

}
