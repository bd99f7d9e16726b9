package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.Route;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.PushTask;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Route re-assertion rounds against a recording route table: which routes end up stored, who is kicked. */
class RouteRefresherTest {

    private final LoginHarness gate = new LoginHarness();
    private final RouteRefresher refresher = new RouteRefresher(LoginHarness.GATE, gate.sessionRoutes, gate.kicker);

    private Route routeOf(long uid, String device) {
        return gate.routes.current.get(uid + "/" + device);
    }

    @Test
    void routesLostInTheStoreAreBackAfterOneRound() {
        int sessions = RouteRefresher.BATCH + 44;
        for (int i = 0; i < sessions; i++) {
            next(gate.loggedIn(1000 + i, "phone"));
        }
        gate.routes.current.clear();

        RouteRefresher.Round round = refresher.refreshNow().join();
        assertEquals(sessions, round.sessions());
        assertEquals(sessions, round.restored());
        assertEquals(sessions, gate.routes.current.size());
        for (Session session : gate.sessions.all()) {
            assertEquals(session.route(), routeOf(session.uid(), session.deviceId()));
        }
    }

    @Test
    void intactRoutesAreRewrittenWithoutAnyKick() {
        EmbeddedChannel phone = gate.loggedIn(42, "phone");
        next(phone);
        RouteRefresher.Round round = refresher.refreshNow().join();
        assertEquals(1, round.registered());
        assertEquals(0, round.restored());
        assertEquals(0, round.conflicts());
        assertNull(phone.readOutbound());
        assertTrue(gate.pushTasks.published.isEmpty());
    }

    @Test
    void aNewerLoginOfTheDeviceElsewhereKeepsItsRouteAndThisSessionIsKicked() throws Exception {
        EmbeddedChannel phone = gate.loggedIn(42, "phone");
        next(phone);
        Route newer = new Route(42, "phone", "ANDROID", "gate-b", 77, LoginHarness.NOW + 1000);
        gate.routes.seed(newer);

        refresher.refreshNow().join();
        Kick kick = Kick.parseFrom(next(phone).body());
        assertEquals(KickReason.DUPLICATE_DEVICE, kick.getReason());
        assertFalse(phone.isOpen());
        assertEquals(newer, routeOf(42, "phone"), "the newer login's route is written back");
    }

    @Test
    void anOlderSessionOfTheDeviceElsewhereIsKickedAndThisRouteStays() throws Exception {
        EmbeddedChannel phone = gate.loggedIn(42, "phone");
        next(phone);
        Session session = gate.sessions.byDevice(42, "phone");
        gate.routes.seed(new Route(42, "phone", "ANDROID", "gate-b", 77, LoginHarness.NOW - 1000));

        refresher.refreshNow().join();
        assertTrue(phone.isOpen());
        assertEquals(session.route(), routeOf(42, "phone"));
        PushTask task = gate.pushTasks.published.get(0).getValue();
        assertEquals(Command.KICK.code(), task.getCommand());
        assertEquals("gate-b", task.getTargets(0).getGateId());
        assertEquals(77, task.getTargets(0).getConnectionId());
    }

    @Test
    void aSessionThatEndsWhileItsRouteIsRegisteredLeavesNoRoute() {
        EmbeddedChannel phone = gate.loggedIn(42, "phone");
        Route route = gate.sessions.byDevice(42, "phone").route();
        gate.routes.holdRegistrations = true;
        CompletableFuture<RouteRefresher.Round> round = refresher.refreshNow();

        phone.close();
        // The store applied the refresh's registration after the close's unregistration.
        gate.routes.seed(route);
        gate.routes.held.get(0).complete(Optional.empty());

        round.join();
        assertNull(routeOf(42, "phone"), "the closed connection's route is not resurrected");
    }

    @Test
    void aStoreOutageFailsTheRoundKeepsServingAndTheNextRoundRecovers() {
        EmbeddedChannel phone = gate.loggedIn(42, "phone");
        next(phone);
        gate.routes.current.clear();
        gate.routes.failWith = new IllegalStateException("connection refused");

        RouteRefresher.Round failed = refresher.refreshNow().join();
        assertTrue(failed.failed());
        assertTrue(phone.isOpen());
        assertEquals(1, gate.sessions.size());

        gate.routes.failWith = null;
        RouteRefresher.Round recovered = refresher.refreshNow().join();
        assertFalse(recovered.failed());
        assertEquals(1, recovered.restored());
        assertEquals(gate.sessions.byDevice(42, "phone").route(), routeOf(42, "phone"));
    }

    @Test
    void roundsDoNotOverlap() {
        next(gate.loggedIn(42, "phone"));
        gate.routes.holdRegistrations = true;
        CompletableFuture<RouteRefresher.Round> first = refresher.refreshNow();
        assertSame(first, refresher.refreshNow(), "a tick during a round joins it");
        assertEquals(1, gate.routes.held.size());
        gate.routes.held.get(0).complete(Optional.empty());
        assertEquals(1, first.join().registered());
    }
}
