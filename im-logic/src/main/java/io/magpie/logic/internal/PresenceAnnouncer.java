package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.das.PresenceSettings;
import io.magpie.logic.PresenceConfig;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PresenceEvent;
import io.magpie.protocol.proto.PresenceState;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces presence changes to watchers (docs/PROTOCOL.md §9.14). The gates publish a PRESENCE_EVENT on
 * {@code upstream} (key {@code u_<uid>}) when a session starts or ends; the partition owner hands it here.
 * Per user, one evaluation is pending at most: it re-reads the user's routes and setting and, if the state
 * watchers see differs from the one last announced, sends NOTICE_PRESENCE to every watcher
 * ({@link PresenceWatcherSet}) in push tasks of at most {@code fanoutChunk} targets each.
 *
 * <p>Debouncing: an online event is evaluated at once, an offline one after {@code offlineGrace} (a reconnect
 * within it announces nothing), and never sooner than {@code minInterval} after the previous announcement
 * of that user. When the last device went offline the time is stored as last seen.
 *
 * <p>Every {@value #SWEEP_MILLIS} ms the users announced online are checked against the routes, so users of a
 * gate that crashed (no offline events) are announced offline once their routes expire.
 *
 * <p>State (pending evaluations, the last announced state) lives in this process only: a restart or a
 * partition moving to another instance loses pending announcements (the next session change announces
 * again; a PRESENCE query always reads the routes). An evaluation that fails (storage, Kafka) is logged
 * and not retried. Runs on its own thread; {@link #onEvent} is thread-safe. Owned by the logic role:
 * {@link #close()} once.
 */
public final class PresenceAnnouncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceAnnouncer.class);
    private static final long REDIS_WAIT_SECONDS = 10;
    /** How often announced states are checked against the routes (a gate that crashed sent no offline events). */
    static final long SWEEP_MILLIS = 60_000;
    /** Users whose routes one sweep looks up in one pipelined round trip. */
    private static final int SWEEP_BATCH = 500;

    /** The last state announced for a user, and when. */
    private record Announced(PresenceState state, long atMillis) {
    }

    /** One scheduled evaluation; {@code offlineAt} is the newest offline event's time, 0 = none. */
    private static final class Pending {
        long dueMillis;
        long offlineAt;
        ScheduledFuture<?> task;
    }

    private final RouteTable routes;
    private final PresenceSettings settings;
    private final PresenceWatcherSet watchers;
    private final PushTaskPublisher publisher;
    private final PresenceConfig config;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    /** Both maps are confined to the executor's thread. */
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<Long, Announced> announced = new HashMap<>();

    public PresenceAnnouncer(RouteTable routes, PresenceSettings settings, PresenceWatcherSet watchers,
            PushTaskPublisher publisher, PresenceConfig config, Clock clock) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.watchers = Objects.requireNonNull(watchers, "watchers");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "logic-presence");
            t.setDaemon(true);
            return t;
        });
        long sweep = Math.max(SWEEP_MILLIS, config.minInterval().toMillis());
        executor.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /** A gate's PRESENCE_EVENT; returns at once. A body that is not a PresenceEvent is logged and dropped. */
    public void onEvent(UpstreamEnvelope event) {
        boolean online;
        try {
            online = PresenceEvent.parseFrom(event.getBody()).getOnline();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            LogIdentity.device(log.atError(), event.getGateId(), event.getUid(), null)
                    .log("[gate {}, uid {}] PRESENCE_EVENT with a body that is not a PresenceEvent dropped: {}",
                    event.getGateId(), event.getUid(), e.getMessage());
            return;
        }
        long uid = event.getUid();
        long at = event.getReceivedAt();
        executor.execute(() -> schedule(uid, online, at));
    }

    private void schedule(long uid, boolean online, long eventAt) {
        long now = clock.millis();
        long due = online ? now : now + config.offlineGrace().toMillis();
        Announced last = announced.get(uid);
        if (last != null) {
            due = Math.max(due, last.atMillis() + config.minInterval().toMillis());
        }
        Pending p = pending.get(uid);
        if (p == null) {
            p = new Pending();
            pending.put(uid, p);
        } else if (p.dueMillis >= due) {
            p.offlineAt = online ? p.offlineAt : Math.max(p.offlineAt, eventAt);
            return;
        } else {
            p.task.cancel(false);
        }
        if (!online) {
            p.offlineAt = Math.max(p.offlineAt, eventAt);
        }
        p.dueMillis = due;
        p.task = executor.schedule(() -> evaluate(uid), Math.max(0, due - now), TimeUnit.MILLISECONDS);
    }

    private void evaluate(long uid) {
        Pending p = pending.remove(uid);
        long offlineAt = p == null ? 0 : p.offlineAt;
        long started = System.nanoTime();
        try {
            List<Route> live = routes.lookup(List.of(uid)).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS)
                    .getOrDefault(uid, List.of());
            if (live.isEmpty() && offlineAt > 0) {
                settings.recordLastSeen(uid, offlineAt);
            }
            PresenceState state = PresenceStates.of(uid, live, settings.read(uid));
            Announced last = announced.get(uid);
            PresenceState before = last == null ? PresenceStates.of(uid, List.of(), PresenceSettings.Setting.NONE)
                    : last.state();
            if (sameForWatchers(before, state)) {
                return;
            }
            Set<Long> targets = watchers.of(uid);
            List<OutgoingPush> pushes = tasks(uid, state, targets, config.fanoutChunk());
            publisher.publishAll(pushes);
            announced.put(uid, new Announced(state, clock.millis()));
            LogIdentity.user(log.atDebug(), uid)
                    .log("[uid {}] presence online={} devices={} announced to {} watchers in {} tasks, {} ms", uid,
                    state.getOnline(), state.getDeviceCount(), targets.size(), pushes.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LogIdentity.user(log.atWarn(), uid)
                    .log("[uid {}] presence change not announced (storage or Kafka failed): {}; watchers learn"
                            + " of it at "
                    + "the user's next change or their next PRESENCE query", uid, e.toString(), e);
        }
    }

    /**
     * The announcement of {@code state} to {@code targets}: push tasks of at most {@code chunkSize} targets, all
     * keyed {@code p_<uid>} so that one user's announcements stay in order.
     */
    static List<OutgoingPush> tasks(long uid, PresenceState state, Set<Long> targets, int chunkSize) {
        Notice notice = Notice.newBuilder().setType(NoticeType.NOTICE_PRESENCE).setUid(uid).setPresence(state).build();
        List<OutgoingPush> out = new ArrayList<>();
        List<Long> chunk = new ArrayList<>(Math.min(targets.size(), chunkSize));
        for (long target : targets) {
            chunk.add(target);
            if (chunk.size() == chunkSize) {
                out.add(new OutgoingPush("p_" + uid, PushTaskFactory.notice(notice, chunk, null).task()));
                chunk = new ArrayList<>();
            }
        }
        if (!chunk.isEmpty()) {
            out.add(new OutgoingPush("p_" + uid, PushTaskFactory.notice(notice, chunk, null).task()));
        }
        return out;
    }

    /** The last seen time alone does not make an announcement; every other field does. */
    private static boolean sameForWatchers(PresenceState a, PresenceState b) {
        return a.toBuilder().clearLastSeen().build().equals(b.toBuilder().clearLastSeen().build());
    }

    /**
     * Forgets users announced offline long enough ago (they read as offline anyway: bounded memory), and
     * re-evaluates users announced online who have no live route any more: their gate died without sending
     * offline events, and its routes expired ({@code RedisRouteTable}'s TTL), so they are announced offline
     * one TTL plus one sweep after the crash at the latest.
     */
    private void sweep() {
        long now = clock.millis();
        long horizon = now - config.minInterval().toMillis();
        announced.entrySet().removeIf(e -> !e.getValue().state().getOnline() && e.getValue().atMillis() < horizon);
        List<Long> online = announced.entrySet().stream().filter(e -> e.getValue().state().getOnline())
                .map(Map.Entry::getKey).filter(uid -> !pending.containsKey(uid)).toList();
        try {
            for (int from = 0; from < online.size(); from += SWEEP_BATCH) {
                List<Long> batch = online.subList(from, Math.min(online.size(), from + SWEEP_BATCH));
                Map<Long, List<Route>> live = routes.lookup(batch).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
                batch.stream().filter(uid -> live.getOrDefault(uid, List.of()).isEmpty())
                        .forEach(uid -> schedule(uid, false, now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("[logic] presence sweep could not read the routes of {} users announced online: {}; the next "
                    + "sweep tries again", online.size(), e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("[logic] presence announcer did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
