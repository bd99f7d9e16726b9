package io.magpie.client.internal;

import io.magpie.client.ClientState;
import io.magpie.client.ConnectionLostException;
import io.magpie.client.DeliveryException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-up of what changed in the messages a device holds while it was offline (docs/PROTOCOL.md §9.5,
 * "Changes while offline"): after a reconnect's SYNC, each conversation whose row version moved and of which the
 * app holds messages is PULLed with {@code since_version} = the highest message version the client knew of it
 * when it logged in; the pages (ascending by version, followed while {@code has_more}) go to a {@link Sink}, which
 * reports the recalls and deletions of held messages. New messages in them are left to the seq catch-up.
 *
 * <p>The known version of a conversation (a delivered or sent message's, a recall's) is kept in the
 * {@link ClientState}; the value at login is remembered before the first message of the new connection raises
 * it, so messages pushed right after the login cannot hide what changed before them. A failed page is asked again
 * after a backoff (never sooner than the gate's retry-after) while the same connection lasts, at most
 * {@value #MAX_ATTEMPTS} times; then the app is told ({@code onError}) and the next login resumes it from the
 * version it reached ({@link #resumeUnfinished}).
 *
 * <p>Thread-safety: the methods marked "under the lock" are called holding {@code lock} (the owner's monitor),
 * which also guards the sink; {@link #start} is called without it and sends the requests.
 */
final class VersionCatchUp {

    /** Where the pages go; called under the lock. */
    interface Sink {
        /** The changes of {@code conversationId} in one page; the app held seqs up to {@code heldThrough}. */
        void changes(String conversationId, List<Message> changes, long heldThrough);
    }

    /** One conversation to catch up: from {@code sinceVersion}, reporting seqs up to {@code heldThrough}. */
    record Start(String conversationId, long sinceVersion, long heldThrough) {
    }

    static final int MAX_ATTEMPTS = 5;
    private static final Logger log = LoggerFactory.getLogger(VersionCatchUp.class);

    private final Object lock;
    private final ClientState state;
    private final Supplier<ClientConnection> current;
    private final ScheduledExecutorService scheduler;
    private final ReconnectBackoff retryBackoff;
    private final int pageSize;
    private final Listeners listeners;
    private final Sink sink;

    // Guarded by lock.
    /** The known version of each conversation at the last login, kept before the first raise after it. */
    private final Map<String, Long> atLogin = new HashMap<>();
    /** Conversations with a catch-up running (one at a time each). */
    private final Set<String> running = new HashSet<>();
    /** Catch-ups that stopped before their last page, from where they stopped; resumed at the next login. */
    private final Map<String, Start> unfinished = new HashMap<>();
    private String who = "[client]";

    VersionCatchUp(Object lock, ClientState state, Supplier<ClientConnection> current,
                   ScheduledExecutorService scheduler, ReconnectBackoff retryBackoff, int pageSize, Listeners listeners,
                   Sink sink) {
        this.lock = lock;
        this.state = state;
        this.current = current;
        this.scheduler = scheduler;
        this.retryBackoff = retryBackoff;
        this.pageSize = pageSize;
        this.listeners = listeners;
        this.sink = sink;
    }

    /** Under the lock: a new connection logged in; versions noted from now on are newer than what it missed. */
    void loggedIn(String who) {
        this.who = who;
        atLogin.clear();
    }

    /** Under the lock: the client learned of {@code version} in {@code conversationId}. */
    void noteVersion(String conversationId, long version) {
        if (conversationId.isEmpty() || version <= 0) {
            return;
        }
        if (!atLogin.containsKey(conversationId)) {
            atLogin.put(conversationId, state.knownVersion(conversationId).orElse(0));
        }
        state.saveKnownVersion(conversationId, version);
    }

    /**
     * Under the lock: whether a SYNC row of the login's sync calls for a catch-up.
     *
     * @param knownRowVersion the row version the client knew before this row (0 when none)
     * @param lastDelivered   the app's last delivered seq of the conversation before this row (-1 unknown)
     */
    Optional<Start> consider(ConversationInfo row, long knownRowVersion, long lastDelivered) {
        String id = row.getConversationId();
        if (id.isEmpty() || row.getVersion() <= knownRowVersion || lastDelivered <= row.getClearedSeq()
                || running.contains(id)) {
            return Optional.empty(); // unchanged, nothing held above what is cleared, or already on its way
        }
        long since = atLogin.containsKey(id) ? atLogin.get(id) : state.knownVersion(id).orElse(0);
        Start stopped = unfinished.remove(id);
        if (stopped != null) {
            since = Math.min(since, stopped.sinceVersion());
        }
        if (since <= 0) {
            return Optional.empty(); // no version known: the held messages predate this client's memory of them
        }
        running.add(id);
        return Optional.of(new Start(id, since, Math.max(lastDelivered, stopped == null ? 0 : stopped.heldThrough())));
    }

    /** Under the lock: the catch-ups an earlier connection left unfinished, now marked running; {@link #start} them. */
    List<Start> resumeUnfinished() {
        List<Start> resumed = new ArrayList<>();
        for (Start s : unfinished.values()) {
            if (running.add(s.conversationId())) {
                resumed.add(s);
            }
        }
        unfinished.clear();
        return resumed;
    }

    /** Sends the first page of each; without the lock. */
    void start(List<Start> starts) {
        for (Start s : starts) {
            page(s, s.sinceVersion(), 1);
        }
    }

    private void page(Start s, long since, int attempt) {
        ClientConnection connection = current.get();
        if (connection == null) {
            stopped(s, since, new ConnectionLostException("not connected"), false);
            return;
        }
        PullRequest request = PullRequest.newBuilder().setConversationId(s.conversationId()).setSinceVersion(since)
                .setLimit(pageSize).build();
        connection.handler().request(Command.PULL, request, Command.PULL_ACK, PullAck.parser())
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        failed(s, since, attempt, connection, Futures.unwrap(error));
                    } else {
                        answered(s, since, ack);
                    }
                });
    }

    private void answered(Start s, long since, PullAck ack) {
        long highest = since;
        for (Message m : ack.getMessagesList()) {
            highest = Math.max(highest, m.getVersion());
        }
        // the server's cursor (PullAck.version) is held back on the last page, so a change committed late is
        // returned again next time; an older server sends none
        if (ack.getVersion() > 0) {
            highest = ack.getHasMore() ? Math.max(since, ack.getVersion()) : ack.getVersion();
        }
        boolean more = ack.getHasMore() && highest > since;
        synchronized (lock) {
            sink.changes(s.conversationId(), ack.getMessagesList(), s.heldThrough());
            noteVersion(s.conversationId(), highest);
            if (!more) {
                running.remove(s.conversationId());
                log.debug("{} [conv={}] caught up on changes after version {}", who, s.conversationId(),
                        s.sinceVersion());
            }
        }
        if (ack.getHasMore() && !more) {
            log.warn("{} [conv={}] PULL since_version {} answered has_more without a newer version; taking the"
                    + " catch-up as complete", who, s.conversationId(), since);
        }
        if (more) {
            page(s, highest, 1);
        }
    }

    private void failed(Start s, long since, int attempt, ClientConnection connection, Throwable error) {
        boolean retryable = !(error instanceof MagpieException me) || me.retryable();
        ClientConnection now = current.get();
        if (retryable && now != null && now != connection) {
            page(s, since, 1); // the connection changed under it: go on over the new one
            return;
        }
        if (!retryable || attempt >= MAX_ATTEMPTS || now == null) {
            stopped(s, since, error, !retryable || now != null);
            return;
        }
        long delay = retryBackoff.delay(attempt).toMillis();
        if (error instanceof MagpieErrorException refused) {
            delay = Math.max(delay, refused.retryAfter().toMillis());
        }
        log.info("{} [conv={}] PULL since_version {} failed ({}); retrying in {} ms", who, s.conversationId(), since,
                error.toString(), delay);
        try {
            scheduler.schedule(() -> page(s, since, attempt + 1), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            stopped(s, since, error, false);
        }
    }

    /** @param tell whether the app hears of it (not when it only waits for the next login) */
    private void stopped(Start s, long since, Throwable error, boolean tell) {
        boolean retryable = !(error instanceof MagpieException me) || me.retryable();
        synchronized (lock) {
            running.remove(s.conversationId());
            if (retryable) {
                unfinished.put(s.conversationId(), new Start(s.conversationId(), since, s.heldThrough()));
            }
        }
        log.info("{} [conv={}] catch-up on changes after version {} stopped ({}){}", who, s.conversationId(), since,
                error.toString(), retryable ? "; the next login resumes it" : "");
        if (tell) {
            listeners.onError(new DeliveryException(who + " catch-up PULL of " + s.conversationId() + " after version "
                    + since + " failed: " + error.getMessage() + "; recalls and deletions made while this device was"
                    + " offline are not reported" + (retryable ? " before the next login" : ""), error, retryable));
        }
    }
}
