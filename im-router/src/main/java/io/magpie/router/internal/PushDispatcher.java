package io.magpie.router.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.EpochMicros;
import io.magpie.protocol.LogIdentity;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateRegistry;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.protocol.proto.PushTask;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Objects;

/**
 * Step 7 for one polled batch of push tasks: read the routes of every uid of the batch in ONE call,
 * plan per gate ({@link TargetResolver}), send each gate its GATE_PUSH frames over its long-lived
 * connection, then publish the offline tasks.
 *
 * <p>Each gate is delivered to independently. A gate that fails or does not acknowledge in time loses
 * only its own share of the batch (its clients have the messages in storage and SYNC/PULL them), and
 * the batch is not sent again to the gates that did acknowledge; a connection that broke before the
 * ack is retried once on a new connection. A gate whose last push timed out is not waited for at all
 * (its pushes are sent, their acks handled when they come), so one hung gate stalls the batches in
 * flight at that moment once, not every batch. Connections the gate reports missing
 * ({@code missing_connection_ids}), and routes to gates that left the registry, are stale: their routes
 * are pruned, and a recipient whose every route was stale is offline and gets a push notification like
 * one with no route.
 *
 * <p>{@link #dispatch} returns once the routes are read and every gate's pushes are sent; the
 * {@link Delivery} it returns finishes the batch: it waits for the waited-for gates to answer (or time
 * out) and stores the offline tasks, after which the caller may commit the offsets. The consumer finishes
 * a batch after it dispatched the next one, so gates write one batch while the routes of the next are
 * read. Either throws {@link PushDeliveryException} (the batch is retried) only when the routes cannot be
 * read or the offline tasks cannot be stored. Used by the push consumer's thread.
 */
public final class PushDispatcher {

    private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);

    private final RouteTable routes;
    private final GateRegistry gates;
    private final GatePushClient client;
    private final OfflineTaskPublisher offline;
    private final Duration timeout;
    private final Clock clock;
    private final RouterMetrics metrics;
    /**
     * Per gate, the step that issued the last batch's send to it: the next batch's send to that gate is issued
     * after it, so pushes reach a gate in batch order even when their registry lookups complete together (a
     * lookup shared by both batches would release them in reverse). The consumer's thread only.
     */
    private final Map<String, CompletableFuture<?>> lastIssued = new HashMap<>();

    /** What one gate's share of a batch came to. */
    private record GateResult(String gateId, List<GatePush> pushes, List<GatePushAck> acks, boolean unregistered,
            Throwable failure, long startNanos) {
    }

    /** @param timeout how long a batch may take from route lookup to the last ack */
    public PushDispatcher(RouteTable routes, GateRegistry gates, GatePushClient client, OfflineTaskPublisher offline,
            Duration timeout, Clock clock) {
        this(routes, gates, client, offline, timeout, clock, RouterMetrics.none());
    }

    /** @param metrics counts pushes by outcome and route misses, times gate deliveries and batches */
    public PushDispatcher(RouteTable routes, GateRegistry gates, GatePushClient client, OfflineTaskPublisher offline,
            Duration timeout, Clock clock, RouterMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.routes = routes;
        this.gates = gates;
        this.client = client;
        this.offline = offline;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * Reads the batch's routes and sends every gate its pushes.
     *
     * @return what is left of the batch: the gates' acks and the offline tasks
     */
    public Delivery dispatch(List<ConsumerRecord<String, byte[]>> records) throws PushDeliveryException {
        long polledUs = EpochMicros.now(clock);
        List<PushTask> tasks = parse(records);
        if (tasks.isEmpty()) {
            return Delivery.NOTHING;
        }
        long start = System.nanoTime();
        lastIssued.values().removeIf(CompletableFuture::isDone);
        metrics.tasks(tasks.size());
        long deadline = start + timeout.toNanos();
        Set<Long> uids = TargetResolver.uidsToLookUp(tasks);
        Map<Long, List<Route>> found = uids.isEmpty() ? Map.of()
                : await(routes.lookup(uids), deadline, "looking up the routes of " + uids.size() + " users");
        DeliveryPlan plan = TargetResolver.resolve(tasks, found, clock.millis(), polledUs, EpochMicros.now(clock));

        Set<String> gone = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<GateResult>> awaited = new ArrayList<>();
        for (Map.Entry<String, List<GatePush>> e : plan.perGate().entrySet()) {
            String gateId = e.getKey();
            boolean wait = client.healthy(gateId);
            CompletableFuture<GateResult> result = deliver(gateId, e.getValue(), true)
                    .thenApply(r -> afterDelivery(r, gone));
            if (wait) {
                awaited.add(result);
            } else {
                LogIdentity.gate(log.atDebug(), gateId)
                        .log("[gate {}] its last push was not acknowledged; {} pushes sent without waiting",
                        gateId, e.getValue().size());
            }
        }
        return () -> {
            awaitGates(awaited, deadline);
            List<OfflineTask> notifications = new ArrayList<>(plan.offline());
            notifications.addAll(TargetResolver.offlineAfterDelivery(tasks, found, Set.copyOf(gone), clock.millis()));
            // a fresh deadline: gates that used up the batch's must not turn into a retry of the whole batch
            await(offline.publish(notifications), System.nanoTime() + timeout.toNanos(),
                    "storing " + notifications.size() + " offline notifications");
            metrics.offline(notifications.size());
            metrics.batch(System.nanoTime() - start);
        };
    }

    /** The rest of a dispatched batch. */
    @FunctionalInterface
    public interface Delivery {

        /** A batch with no push task in it. */
        Delivery NOTHING = () -> { };

        /**
         * Waits for the gates that are waited for (at most until the batch's deadline), then stores the offline
         * tasks: those planned, and those of recipients whose every route turned out stale.
         *
         * @throws PushDeliveryException when the offline tasks could not be stored: the batch is retried
         */
        void finish() throws PushDeliveryException;
    }

    /** One gate's share; a broken connection (not a timeout) is retried once on a fresh one. */
    private CompletableFuture<GateResult> deliver(String gateId, List<GatePush> pushes, boolean mayRetry) {
        long startNanos = System.nanoTime();
        CompletableFuture<CompletableFuture<GateResult>> issued;
        if (mayRetry) { // a batch's first attempt, on the consumer's thread: in batch order
            CompletableFuture<Optional<GateInfo>> found = gates.find(gateId);
            CompletableFuture<?> before = lastIssued.get(gateId);
            CompletableFuture<Optional<GateInfo>> inTurn = before == null || before.isDone() ? found
                    : before.handle((v, e) -> null).thenCompose(v -> found);
            issued = inTurn.thenApply(gate -> send(gateId, gate, pushes, startNanos));
            lastIssued.put(gateId, issued);
        } else {
            issued = gates.find(gateId).thenApply(gate -> send(gateId, gate, pushes, startNanos));
        }
        return issued.thenCompose(f -> f)
                .handle((result, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(result);
                    }
                    Throwable cause = unwrap(e);
                    if (mayRetry && !(unwrap(cause.getCause()) instanceof TimeoutException)
                            && cause instanceof GateDeliveryException) {
                        LogIdentity.gate(log.atInfo(), gateId)
                                .log("[gate {}] delivery failed ({}); trying once more on a new connection", gateId,
                                cause.getMessage());
                        return deliver(gateId, pushes, false);
                    }
                    return CompletableFuture.completedFuture(new GateResult(gateId, pushes, List.of(), false, cause,
                            startNanos));
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<GateResult> send(String gateId, Optional<GateInfo> gate, List<GatePush> pushes,
            long startNanos) {
        if (gate.isEmpty()) {
            client.forget(gateId);
            return CompletableFuture.completedFuture(new GateResult(gateId, pushes, List.of(), true, null, startNanos));
        }
        return client.deliver(gate.get(), pushes)
                .thenApply(acks -> new GateResult(gateId, pushes, acks, false, null, startNanos));
    }

    /** Records what is gone, prunes those routes, reports a failure; never throws. */
    private GateResult afterDelivery(GateResult r, Set<String> gone) {
        if (r.failure() != null) {
            metrics.failed(r.pushes().size());
        } else if (r.unregistered()) {
            metrics.gateGone(r.pushes().size());
        } else {
            metrics.delivered(r.pushes().size(), System.nanoTime() - r.startNanos());
        }
        if (r.failure() != null) {
            LogIdentity.gate(log.atWarn(), r.gateId())
                    .log("[gate {}] {} pushes not delivered: {}; its clients get them from storage (SYNC/PULL), the"
                    + " other gates are not held back", r.gateId(), r.pushes().size(), r.failure().getMessage());
            return r;
        }
        Map<Long, Long> uidOf = new HashMap<>();
        for (GatePush push : r.pushes()) {
            for (ConnectionRef ref : push.getConnectionsList()) {
                uidOf.put(ref.getConnectionId(), ref.getUid());
            }
        }
        Set<Long> missing = new HashSet<>();
        if (r.unregistered()) {
            missing.addAll(uidOf.keySet());
            LogIdentity.gate(log.atDebug(), r.gateId())
                    .log("[gate {}] not registered any more; {} pushes dropped and its {} routes pruned", r.gateId(),
                    r.pushes().size(), missing.size());
        } else {
            r.acks().forEach(ack -> missing.addAll(ack.getMissingConnectionIdsList()));
        }
        Map<Long, List<Long>> missingByUid = new HashMap<>();
        for (Long connectionId : missing) {
            Long uid = uidOf.get(connectionId);
            if (uid != null) { // a gate naming a connection it was not sent is ignored
                gone.add(TargetResolver.key(r.gateId(), connectionId));
                missingByUid.computeIfAbsent(uid, u -> new ArrayList<>()).add(connectionId);
            }
        }
        missingByUid.forEach((uid, ids) -> routes.prune(uid, r.gateId(), ids).whenComplete((n, e) -> {
            if (e != null) {
                LogIdentity.gate(log.atWarn(), r.gateId())
                        .log("[gate {}] uid {}: could not prune the routes of missing connections {}: {}", r.gateId(),
                        uid, ids, e.toString());
            } else if (n > 0) {
                LogIdentity.gate(log.atDebug(), r.gateId())
                        .log("[gate {}] uid {}: pruned {} stale route(s) of connections {}", r.gateId(), uid, n, ids);
            }
        }));
        return r;
    }

    private static void awaitGates(List<CompletableFuture<GateResult>> awaited, long deadlineNanos) {
        try {
            CompletableFuture.allOf(awaited.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            // each gate's own ack timeout reports it; a gate still connecting is left to finish by itself
            log.warn("{} gate(s) did not answer within the batch deadline; going on without them",
                    awaited.stream().filter(f -> !f.isDone()).count());
        } catch (ExecutionException e) {
            // afterDelivery never throws; a failure here is a bug, and the other gates still got theirs
            log.error("delivering a batch to the gates failed unexpectedly", e.getCause());
        }
    }

    private List<PushTask> parse(List<ConsumerRecord<String, byte[]>> records) {
        List<PushTask> tasks = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                tasks.add(PushTask.parseFrom(r.value() == null ? new byte[0] : r.value()));
            } catch (InvalidProtocolBufferException e) {
                log.error("[push {}-{}@{}] record is not a PushTask and is dropped: {}", r.topic(), r.partition(),
                        r.offset(), e.getMessage());
            }
        }
        return tasks;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T> T await(CompletableFuture<T> f, long deadlineNanos, String what) throws PushDeliveryException {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushDeliveryException("interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new PushDeliveryException(what + " did not finish in time; the batch will be retried", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = unwrap(e);
            throw new PushDeliveryException(what + " failed (" + cause + "); the batch will be retried", cause);
        }
    }
}
