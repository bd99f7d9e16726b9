package io.magpie.gate.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this gate to the registry now and then every refresh interval, so the LSB sees it
 * (with its connection count) and its entry's TTL never lapses while it runs. The publish is async
 * and never blocks the executor it is scheduled on. A failure is logged once when it starts and once
 * when it clears, not every interval. Thread-safe.
 */
public final class RegistryPublisher {

    private static final Logger log = LoggerFactory.getLogger(RegistryPublisher.class);

    private final String gateId;
    private final GateRegistry registry;
    private final Supplier<GateInfo> info;
    private volatile boolean failing;
    private volatile ScheduledFuture<?> task;
    private volatile EventExecutor executor;

    public RegistryPublisher(String gateId, GateRegistry registry, Supplier<GateInfo> info) {
        this.gateId = Objects.requireNonNull(gateId, "gateId");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.info = Objects.requireNonNull(info, "info");
    }

    /** Publishes once; the future fails if the registry did. */
    public CompletableFuture<Void> publishNow() {
        return registry.publish(info.get()).whenComplete((ok, error) -> {
            if (error != null && !failing) {
                failing = true;
                LogIdentity.gate(log.atWarn(), gateId)
                        .log("[gate={}] registry publish failed; the LSB stops offering this gate once its entry "
                        + "expires; retrying every refresh", gateId, error);
            } else if (error == null && failing) {
                failing = false;
                LogIdentity.gate(log.atInfo(), gateId)
                        .log("[gate={}] registry publish works again", gateId);
            }
        });
    }

    /** Republishes every {@code every} on {@code executor} until {@link #stop()}. */
    public void start(EventExecutor executor, Duration every) {
        long nanos = every.toNanos();
        this.executor = executor;
        task = executor.scheduleAtFixedRate(this::publishNow, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Stops republishing. Returns once a publish that was running has been issued, so a removal sent
     * after this call reaches the registry after it (one Redis connection keeps commands in order)
     * and the gate does not reappear.
     */
    public void stop(Duration wait) {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
            // The executor is one thread: once this no-op ran, no publish task is mid-flight.
            executor.submit(() -> { }).awaitUninterruptibly(wait.toMillis());
        }
    }
}
