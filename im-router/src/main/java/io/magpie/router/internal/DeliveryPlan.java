package io.magpie.router.internal;

import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.OfflineTask;
import java.util.List;
import java.util.Map;

/**
 * What one batch of push tasks turns into: GATE_PUSH bodies per gate id (one per task and gate,
 * carrying all of the task's connections on that gate, in task order) and the push notifications
 * for targets that have no route at all. Immutable.
 */
public record DeliveryPlan(Map<String, List<GatePush>> perGate, List<OfflineTask> offline) {

    public DeliveryPlan {
        perGate = Map.copyOf(perGate);
        offline = List.copyOf(offline);
    }

    public boolean isEmpty() {
        return perGate.isEmpty() && offline.isEmpty();
    }
}
