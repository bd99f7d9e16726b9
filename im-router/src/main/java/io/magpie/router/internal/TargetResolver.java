package io.magpie.router.internal;

import io.magpie.registry.Route;
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
        return resolve(tasks, routes, nowMillis, 0, 0);
    }

    /**
     * As {@link #resolve(List, Map, long)}, adding the router's stamps to the trace of a traced task's
     * GATE_PUSH frames.
     *
     * @param polledUs   when the router's poll returned the tasks (µs since the epoch)
     * @param resolvedUs when their routes were read and the frames are about to be written
     */
    public static DeliveryPlan resolve(List<PushTask> tasks, Map<Long, List<Route>> routes, long nowMillis,
            long polledUs, long resolvedUs) {
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
                    .add(gatePush(task, refs.values(), polledUs, resolvedUs)));
        }
        return new DeliveryPlan(perGate, offline);
    }

    private static GatePush gatePush(PushTask task, Collection<ConnectionRef> refs, long polledUs, long resolvedUs) {
        GatePush.Builder push = GatePush.newBuilder()
                .addAllConnections(refs)
                .setCommand(task.getCommand())
                .setRequestId(task.getRequestId())
                .setBody(task.getBody());
        if (task.hasTrace() && resolvedUs != 0) {
            push.setTrace(task.getTrace().toBuilder().setRouterPolledUs(polledUs).setRouterSentUs(resolvedUs));
        }
        return push.build();
    }

    /**
     * The push notifications owed after delivery: a uid target of an {@code offline_notify} task (not the
     * sender) whose every route turned out to be gone - its gate reported the connection missing, or the
     * gate is no longer registered - is offline, as if it had no route. Users {@link #resolve} already
     * found without a route are not repeated here.
     *
     * @param gone "gateId|connectionId" of every connection found gone while delivering this batch
     */
    public static List<OfflineTask> offlineAfterDelivery(List<PushTask> tasks, Map<Long, List<Route>> routes,
            Set<String> gone, long nowMillis) {
        List<OfflineTask> offline = new ArrayList<>();
        if (gone.isEmpty()) {
            return offline;
        }
        for (PushTask task : tasks) {
            if (!task.getOfflineNotify()) {
                continue;
            }
            Set<Long> notified = new HashSet<>();
            for (PushTarget t : task.getTargetsList()) {
                if (!t.getGateId().isEmpty() || t.getUid() == task.getSenderUid()) {
                    continue;
                }
                List<Route> reachable = routes.getOrDefault(t.getUid(), List.of()).stream()
                        .filter(r -> !excluded(t, r)).toList();
                if (!reachable.isEmpty() && reachable.stream().allMatch(r -> gone.contains(key(r.gateId(),
                        r.connectionId()))) && notified.add(t.getUid())) {
                    offline.add(offlineTask(task, t.getUid(), nowMillis));
                }
            }
        }
        return offline;
    }

    /** How {@link #offlineAfterDelivery} names one connection. */
    public static String key(String gateId, long connectionId) {
        return gateId + '|' + connectionId;
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
                .setMentioned(task.getMentionAll() || task.getMentionedUidsList().contains(uid))
                .build();
    }
}
