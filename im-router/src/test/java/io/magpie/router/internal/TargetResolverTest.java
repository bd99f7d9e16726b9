package io.magpie.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.registry.Route;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.HopTrace;
import io.magpie.protocol.proto.OfflineTask;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TargetResolverTest {

    private static final ByteString BODY = ByteString.copyFromUtf8("body");

    @Test
    void aDirectTargetIsDeliveredAsIsWithoutALookup() {
        PushTask ack = task(Command.SEND_ACK, false, PushTarget.newBuilder().setUid(1).setGateId("g1").setConnectionId(5));

        assertEquals(Set.of(), TargetResolver.uidsToLookUp(List.of(ack)));
        DeliveryPlan plan = TargetResolver.resolve(List.of(ack), Map.of(), 0);

        assertEquals(Map.of("g1", List.of(push(ack, conn(5, 1)))), plan.perGate());
        assertEquals(List.of(), plan.offline());
    }

    @Test
    void aTracedTaskHandsItsTraceToEveryGatePushWithTheRoutersStamps() {
        HopTrace trace = HopTrace.newBuilder().setGateReceivedUs(10).setLogicPolledUs(20).setLogicStoredUs(30)
                .setPushProducedUs(40).build();
        PushTask msg = task(Command.PUSH, true, PushTarget.newBuilder().setUid(2)).toBuilder().setTrace(trace).build();
        Map<Long, List<Route>> routes = Map.of(2L, List.of(route(2, "phone", "g1", 8), route(2, "desk", "g2", 9)));

        DeliveryPlan plan = TargetResolver.resolve(List.of(msg), routes, 0, 50, 60);

        HopTrace stamped = trace.toBuilder().setRouterPolledUs(50).setRouterSentUs(60).build();
        assertEquals(stamped, plan.perGate().get("g1").get(0).getTrace());
        assertEquals(stamped, plan.perGate().get("g2").get(0).getTrace());
        assertFalse(TargetResolver.resolve(List.of(task(Command.PUSH, true, PushTarget.newBuilder().setUid(2))), routes,
                0, 50, 60).perGate().get("g1").get(0).hasTrace(), "an untraced task stays untraced");
    }

    @Test
    void aUidTargetReachesEveryRouteGroupedPerGateExceptTheExcludedConnection() {
        PushTask msg = task(Command.PUSH, true,
                PushTarget.newBuilder().setUid(2),
                PushTarget.newBuilder().setUid(1).setExcludeGateId("g1").setExcludeConnectionId(5));
        Map<Long, List<Route>> routes = Map.of(
                2L, List.of(route(2, "phone", "g1", 8), route(2, "desk", "g2", 9)),
                1L, List.of(route(1, "phone", "g1", 5), route(1, "desk", "g1", 6)));

        assertEquals(Set.of(1L, 2L), TargetResolver.uidsToLookUp(List.of(msg)));
        DeliveryPlan plan = TargetResolver.resolve(List.of(msg), routes, 0);

        // one GatePush per gate with all of the task's connections there; the sender's own connection skipped
        assertEquals(Map.of(
                "g1", List.of(push(msg, conn(8, 2), conn(6, 1))),
                "g2", List.of(push(msg, conn(9, 2)))), plan.perGate());
        assertEquals(List.of(), plan.offline());
    }

    @Test
    void aRecipientWithoutAnyRouteGetsOneOfflineTask() {
        PushTask msg = task(Command.PUSH, true,
                PushTarget.newBuilder().setUid(2),
                PushTarget.newBuilder().setUid(2),
                PushTarget.newBuilder().setUid(1).setExcludeGateId("g1").setExcludeConnectionId(5));

        DeliveryPlan plan = TargetResolver.resolve(List.of(msg), Map.of(2L, List.of(), 1L, List.of()), 99);

        assertTrue(plan.perGate().isEmpty());
        // the sender (uid 1) is never notified of its own message
        assertEquals(List.of(OfflineTask.newBuilder().setUid(2).setConversationId("s_1_2").setMsgId(900).setSeq(3)
                .setSenderUid(1).setPreview("hi").setCreatedAt(99).build()), plan.offline());
    }

    @Test
    void withoutOfflineNotifyAnOfflineTargetIsSimplySkipped() {
        PushTask msg = task(Command.PUSH, false, PushTarget.newBuilder().setUid(2));

        DeliveryPlan plan = TargetResolver.resolve(List.of(msg), Map.of(), 0);

        assertTrue(plan.isEmpty());
    }

    @Test
    void anExcludedConnectionIsNotOffline() {
        // the sender's only route is the excluded one: nothing to send, and no notification
        PushTask msg = task(Command.PUSH, true,
                PushTarget.newBuilder().setUid(3).setExcludeGateId("g1").setExcludeConnectionId(5));

        DeliveryPlan plan = TargetResolver.resolve(List.of(msg), Map.of(3L, List.of(route(3, "d", "g1", 5))), 0);

        assertTrue(plan.isEmpty());
    }

    @Test
    void severalTasksForOneGateKeepTheirOrder() {
        PushTask first = task(Command.PUSH, false, PushTarget.newBuilder().setUid(2));
        PushTask second = task(Command.SEND_ACK, false, PushTarget.newBuilder().setUid(2).setGateId("g1").setConnectionId(8));

        DeliveryPlan plan = TargetResolver.resolve(List.of(first, second), Map.of(2L, List.of(route(2, "d", "g1", 8))), 0);

        assertEquals(List.of(push(first, conn(8, 2)), push(second, conn(8, 2))), plan.perGate().get("g1"));
    }

    @Test
    void aGroupMessageIsOneGatePushPerGateCarryingEveryMembersConnectionThere() {
        PushTask.Builder b = task(Command.PUSH, true).toBuilder().setConversationId("g_5").setSenderUid(1000);
        Map<Long, List<Route>> routes = new java.util.HashMap<>();
        for (long uid = 1000; uid < 1050; uid++) {
            b.addTargets(PushTarget.newBuilder().setUid(uid).setExcludeGateId("g1").setExcludeConnectionId(1000));
            routes.put(uid, List.of(route(uid, "d", uid % 2 == 0 ? "g1" : "g2", uid)));
        }

        DeliveryPlan plan = TargetResolver.resolve(List.of(b.build()), routes, 0);

        assertEquals(Set.of("g1", "g2"), plan.perGate().keySet());
        assertEquals(1, plan.perGate().get("g1").size(), "one GatePush for gate g1");
        assertEquals(1, plan.perGate().get("g2").size(), "one GatePush for gate g2");
        assertEquals(24, plan.perGate().get("g1").get(0).getConnectionsCount(), "25 even members minus the sender");
        assertEquals(25, plan.perGate().get("g2").get(0).getConnectionsCount());
    }

    private static PushTask task(Command command, boolean offlineNotify, PushTarget.Builder... targets) {
        PushTask.Builder b = PushTask.newBuilder()
                .setCommand(command.code())
                .setRequestId(command == Command.SEND_ACK ? 17 : 0)
                .setBody(BODY)
                .setOfflineNotify(offlineNotify)
                .setConversationId("s_1_2")
                .setMsgId(900)
                .setSeq(3)
                .setSenderUid(1)
                .setPreview("hi");
        for (PushTarget.Builder t : targets) {
            b.addTargets(t);
        }
        return b.build();
    }

    private static GatePush push(PushTask task, ConnectionRef... connections) {
        return GatePush.newBuilder()
                .addAllConnections(List.of(connections))
                .setCommand(task.getCommand())
                .setRequestId(task.getRequestId())
                .setBody(task.getBody())
                .build();
    }

    private static ConnectionRef conn(long connectionId, long uid) {
        return ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(uid).build();
    }

    private static Route route(long uid, String device, String gate, long connectionId) {
        return new Route(uid, device, "ANDROID", gate, connectionId, 1);
    }
}
