package io.magpie.router.internal;

import io.magpie.das.Route;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 7, the pure part: turns push tasks plus the routes of their users into a {@link DeliveryPlan}.
 * <ul>
 *   <li>a target with a gate id is that one connection, as is;</li>
 *   <li>a target with only a uid is every route of the uid except the excluded connection;</li>
 *   <li>a uid with no route at all, in a task with {@code offline_notify}, gets one
 *       {@link OfflineTask} - except the sender of the message (their own other devices).</li>
 * </ul>
 * Stateless.
 */
public final class TargetResolver {

    private TargetResolver() {
    }

    /** The uids whose routes {@link #resolve} needs: those of targets without a gate id. */
    public static Set<Long> uidsToLookUp(Collection<PushTask> tasks) {
        Set<Long> uids = new LinkedHashSet<>();
        for (PushTask task : tasks) {
            for (PushTarget t : task.getTargetsList()) {
                if (t.getGateId().isEmpty()) {
                    uids.add(t.getUid());
                }
            }
        }
        return uids;
    }

    /**
     * @param routes    routes by uid for (at least) {@link #uidsToLookUp}; a missing or empty list = offline
     * @param nowMillis creation time of offline tasks
     */
    public static DeliveryPlan resolve(List<PushTask> tasks, Map<Long, List<Route>> routes, long nowMillis) {
        Map<String, List<GatePush>> perGate = new LinkedHashMap<>();
        List<OfflineTask> offline = new ArrayList<>();
        for (PushTask task : tasks) {
            Map<String, Map<Long, ConnectionRef>> connections = new LinkedHashMap<>();
            Set<Long> notified = new HashSet<>();
            for (PushTarget t : task.getTargetsList()) {
                if (!t.getGateId().isEmpty()) {
                    add(connections, t.getGateId(), t.getConnectionId(), t.getUid());
                    continue;
                }
                List<Route> userRoutes = routes.getOrDefault(t.getUid(), List.of());
                if (userRoutes.isEmpty()) {
                    if (task.getOfflineNotify() && t.getUid() != task.getSenderUid() && notified.add(t.getUid())) {
                        offline.add(offlineTask(task, t.getUid(), nowMillis));
                    }
                    continue;
                }
                for (Route r : userRoutes) {
                    if (!excluded(t, r)) {
                        add(connections, r.gateId(), r.connectionId(), t.getUid());
                    }
                }
            }
            connections.forEach((gateId, refs) -> perGate.computeIfAbsent(gateId, g -> new ArrayList<>())
                    .add(GatePush.newBuilder()
                            .addAllConnections(refs.values())
                            .setCommand(task.getCommand())
                            .setRequestId(task.getRequestId())
                            .setBody(task.getBody())
                            .build()));
        }
        return new DeliveryPlan(perGate, offline);
    }

    private static boolean excluded(PushTarget t, Route r) {
        return !t.getExcludeGateId().isEmpty() && t.getExcludeGateId().equals(r.gateId())
                && t.getExcludeConnectionId() == r.connectionId();
    }

    private static void add(Map<String, Map<Long, ConnectionRef>> connections, String gateId, long connectionId,
            long uid) {
        connections.computeIfAbsent(gateId, g -> new LinkedHashMap<>())
                .putIfAbsent(connectionId, ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(uid).build());
    }

    private static OfflineTask offlineTask(PushTask task, long uid, long nowMillis) {
        return OfflineTask.newBuilder()
                .setUid(uid)
                .setConversationId(task.getConversationId())
                .setMsgId(task.getMsgId())
                .setSeq(task.getSeq())
                .setSenderUid(task.getSenderUid())
                .setPreview(task.getPreview())
                .setCreatedAt(nowMillis)
                .build();
    }
}
