package io.magpie.router.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.GateInfo;
import io.magpie.das.GateRegistry;
import io.magpie.das.Route;
import io.magpie.das.RouteTable;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.PushTask;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 7 for one polled batch of push tasks: read the routes of every uid of the batch in ONE
 * call, plan per gate ({@link TargetResolver}), send each gate its GATE_PUSH frames over the
 * long-lived connection, and publish offline tasks. Returns normally only when every registered
 * gate acknowledged and every offline task is stored, so the caller may commit the offsets. A gate
 * that is no longer registered is skipped: its clients were disconnected and will sync from
 * storage when they reconnect. Used by the push consumer's thread.
 */
public final class PushDispatcher {

    private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);

    private final RouteTable routes;
    private final GateRegistry gates;
    private final GatePushClient client;
    private final OfflineTaskPublisher offline;
    private final Duration timeout;
    private final Clock clock;

    /** @param timeout how long a batch may take from route lookup to the last ack */
    public PushDispatcher(RouteTable routes, GateRegistry gates, GatePushClient client, OfflineTaskPublisher offline,
            Duration timeout, Clock clock) {
        this.routes = routes;
        this.gates = gates;
        this.client = client;
        this.offline = offline;
        this.timeout = timeout;
        this.clock = clock;
    }

    public void dispatch(List<ConsumerRecord<String, byte[]>> records) throws PushDeliveryException {
        List<PushTask> tasks = parse(records);
        if (tasks.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> uids = TargetResolver.uidsToLookUp(tasks);
        Map<Long, List<Route>> found = uids.isEmpty() ? Map.of()
                : await(routes.lookup(uids), deadline, "looking up the routes of " + uids.size() + " users");
        DeliveryPlan plan = TargetResolver.resolve(tasks, found, clock.millis());

        List<CompletableFuture<?>> deliveries = new ArrayList<>();
        for (Map.Entry<String, List<GatePush>> e : plan.perGate().entrySet()) {
            String gateId = e.getKey();
            List<GatePush> pushes = e.getValue();
            deliveries.add(gates.find(gateId).thenCompose(gate -> deliver(gateId, gate, pushes)));
        }
        deliveries.add(offline.publish(plan.offline()));
        await(CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)), deadline,
                "delivering " + tasks.size() + " push tasks to " + plan.perGate().size() + " gates and "
                        + plan.offline().size() + " offline notifications");
    }

    private CompletableFuture<?> deliver(String gateId, Optional<GateInfo> gate, List<GatePush> pushes) {
        if (gate.isEmpty()) {
            client.forget(gateId);
            log.debug("[gate {}] not registered any more; {} pushes dropped, its clients sync on reconnect",
                    gateId, pushes.size());
            return CompletableFuture.completedFuture(null);
        }
        return client.deliver(gate.get(), pushes);
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

    private static <T> T await(CompletableFuture<T> f, long deadlineNanos, String what) throws PushDeliveryException {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushDeliveryException("interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new PushDeliveryException(what + " did not finish in time; the batch will be retried", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw new PushDeliveryException(what + " failed (" + cause + "); the batch will be retried", cause);
        }
    }
}
