package io.magpie.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.magpie.protocol.link.ClusterSecret;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import io.magpie.router.internal.GatePushClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The router's link to a gate keeps the order of its sends: the push consumer sends a batch before the one
 * before it is acknowledged, and the pushes of one conversation must reach the gate in seq order even while
 * the link is still being opened (a real loopback link with the handshake; the gate side is {@link TestGateReceiver}).
 */
class GatePushClientOrderTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("order-test-cluster-secret-0123456789abcdef");

    @Test
    void sendsMadeWhileTheLinkIsOpeningReachTheGateInTheOrderTheyWereMade() throws Exception {
        try (TestGateReceiver gate = new TestGateReceiver(0, "g-1", SECRET);
             GatePushClient client = new GatePushClient(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, SECRET,
                     "router-1", 3, Duration.ofSeconds(30))) {
            GateInfo info = new GateInfo("g-1", "127.0.0.1", 1, 2, gate.port(), 0, GateState.ACTIVE, Set.of(), "",
                    System.currentTimeMillis());
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (long seq = 1; seq <= 50; seq++) { // all before the handshake can have finished
                GatePush push = GatePush.newBuilder()
                        .addConnections(ConnectionRef.newBuilder().setUid(seq).setConnectionId(seq)).build();
                acks.add(client.deliver(info, List.of(push)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

            for (long seq = 1; seq <= 50; seq++) {
                GatePush received = gate.next(Duration.ofSeconds(5));
                assertNotNull(received, "push " + seq + " never arrived");
                assertEquals(seq, received.getConnections(0).getConnectionId(), "pushes out of order");
            }
            assertEquals(1, gate.connections(), "one link for all of them");
        }
    }
}
