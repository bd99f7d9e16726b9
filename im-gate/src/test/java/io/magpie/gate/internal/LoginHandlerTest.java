package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.Route;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginHandlerTest {

    private final LoginHarness gate = new LoginHarness();

    @Test
    void validTokenGetsLoginAckAndRegistersTheRoute() throws Exception {
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(LoginHarness.login(11, gate.token(42, "phone-1")));
        channel.runPendingTasks();

        Frame ack = next(channel);
        assertEquals(Command.LOGIN_ACK.code(), ack.command());
        assertEquals(11, ack.requestId());
        LoginAck body = LoginAck.parseFrom(ack.body());
        assertEquals(42, body.getUid());
        assertEquals("phone-1", body.getDeviceId());
        assertEquals(LoginHarness.GATE, body.getGateId());
        assertEquals(30, body.getHeartbeatSeconds());
        assertEquals(LoginHarness.NOW, body.getServerTime());

        Route route = gate.routes.registered.get(0);
        assertEquals(new Route(42, "phone-1", "ANDROID", LoginHarness.GATE, 1, LoginHarness.NOW), route);
        Session session = gate.sessions.byConnection(1);
        assertNotNull(session);
        assertEquals(42, session.uid());
        assertTrue(channel.isActive());
        assertNull(channel.pipeline().get(ClientPipeline.LOGIN), "login stage replaced by the session stages");
        assertNotNull(channel.pipeline().get(ClientPipeline.SESSION));

        channel.writeInbound(Frames.of(Command.PING, 12, Ping.getDefaultInstance()));
        assertEquals(Command.PONG.code(), next(channel).command(), "the session stages answer after login");
    }

    @Test
    void forgedTokenGetsInvalidTokenAndClose() {
        TokenCodec other = new TokenCodec("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8),
                gate.clock);
        String forged = other.issue(new TokenClaims(42, "phone-1", Platform.IOS, LoginHarness.NOW + 60_000));
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(LoginHarness.login(3, forged));

        nextError(channel, ErrorCode.INVALID_TOKEN, 3);
        assertFalse(channel.isOpen());
        assertTrue(gate.routes.registered.isEmpty(), "no route for a refused login");
    }

    @Test
    void expiredTokenGetsInvalidTokenAndClose() {
        String expired = gate.tokens.issue(new TokenClaims(42, "phone-1", Platform.IOS, LoginHarness.NOW - 1));
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(LoginHarness.login(4, expired));

        var error = nextError(channel, ErrorCode.INVALID_TOKEN, 4);
        assertTrue(error.getMessage().contains("expired"), error.getMessage());
        assertFalse(channel.isOpen());
    }

    @Test
    void sendBeforeLoginGetsWrongStateAndClose() {
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(Frames.of(Command.SEND, 9, SendRequest.getDefaultInstance()));

        var error = nextError(channel, ErrorCode.WRONG_STATE, 9);
        assertEquals(Command.SEND.code(), error.getCommand());
        assertFalse(channel.isOpen());
    }

    @Test
    void noLoginWithinTheDeadlineGetsLoginTimeoutAndClose() {
        EmbeddedChannel channel = gate.connect();
        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "still open before the deadline");
        assertNull(channel.readOutbound());

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        nextError(channel, ErrorCode.LOGIN_TIMEOUT, 0);
        assertFalse(channel.isOpen());
    }

    @Test
    void loginInTimeIsNotClosedByTheDeadline() {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        next(channel);
        channel.advanceTimeBy(10, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        assertNull(channel.readOutbound());
    }

    @Test
    void secondLoginOfTheSameDeviceOnThisGateKicksTheFirst() throws Exception {
        EmbeddedChannel first = gate.loggedIn(42, "phone-1");
        next(first);
        EmbeddedChannel second = gate.loggedIn(42, "phone-1");

        assertEquals(Command.LOGIN_ACK.code(), next(second).command());
        Frame kick = next(first);
        assertEquals(Command.KICK.code(), kick.command());
        assertEquals(KickReason.DUPLICATE_DEVICE, Kick.parseFrom(kick.body()).getReason());
        assertFalse(first.isOpen());
        assertTrue(second.isOpen());
        assertEquals(2, gate.sessions.byDevice(42, "phone-1").connectionId());
        assertNull(gate.sessions.byConnection(1));
        assertTrue(gate.routes.current.containsValue(gate.sessions.byConnection(2).route()),
                "closing the kicked connection leaves the newer route in place");
        assertTrue(gate.pushTasks.published.isEmpty(), "a local kick needs no push task");
    }

    @Test
    void loginOfADeviceConnectedToAnotherGatePublishesAKickForThatConnection() throws Exception {
        gate.routes.seed(new Route(42, "phone-1", "IOS", "gate-b", 77, LoginHarness.NOW - 1000));
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        assertEquals(Command.LOGIN_ACK.code(), next(channel).command());

        assertEquals(1, gate.pushTasks.published.size());
        assertEquals("42", gate.pushTasks.published.get(0).getKey());
        PushTask task = gate.pushTasks.published.get(0).getValue();
        assertEquals(Command.KICK.code(), task.getCommand());
        assertEquals(1, task.getTargetsCount());
        assertEquals(42, task.getTargets(0).getUid());
        assertEquals("gate-b", task.getTargets(0).getGateId());
        assertEquals(77, task.getTargets(0).getConnectionId());
        assertEquals(KickReason.DUPLICATE_DEVICE, Kick.parseFrom(task.getBody()).getReason());
    }

    @Test
    void closingALoggedInConnectionReleasesItsRoute() {
        EmbeddedChannel channel = gate.loggedIn(42, "phone-1");
        Route route = gate.sessions.byConnection(1).route();
        channel.close();

        assertEquals(0, gate.sessions.size());
        assertEquals(route, gate.routes.unregistered.get(0));
        assertTrue(gate.routes.current.isEmpty());
    }

    @Test
    void framesPipelinedBehindLoginAreServedAfterLoginAck() {
        gate.routes.holdRegistrations = true;
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(LoginHarness.login(1, gate.token(42, "phone-1")),
                Frames.of(Command.PING, 2, Ping.getDefaultInstance()));
        assertNull(channel.readOutbound(), "nothing answered while the route is being registered");

        gate.routes.held.get(0).complete(Optional.empty());
        channel.runPendingTasks();
        Frame first = next(channel);
        Frame second = next(channel);
        assertEquals(Command.LOGIN_ACK.code(), first.command());
        assertEquals(Command.PONG.code(), second.command());
        assertEquals(2, second.requestId());
    }

    @Test
    void connectionClosedWhileRegisteringDoesNotLeaveARoute() {
        gate.routes.holdRegistrations = true;
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(LoginHarness.login(1, gate.token(42, "phone-1")));
        channel.close();

        gate.routes.held.get(0).complete(Optional.empty());
        channel.runPendingTasks();
        assertEquals(0, gate.sessions.size());
        assertEquals(1, gate.routes.unregistered.size(), "the late registration is undone");
        assertTrue(gate.routes.current.isEmpty());
    }

    @Test
    void registrationFailureGetsServerBusyAndClose() {
        gate.routes.holdRegistrations = true;
        EmbeddedChannel channel = gate.connect();
        channel.writeInbound(LoginHarness.login(5, gate.token(42, "phone-1")));
        gate.routes.held.get(0).completeExceptionally(new IllegalStateException("redis down"));
        channel.runPendingTasks();

        nextError(channel, ErrorCode.SERVER_BUSY, 5);
        assertFalse(channel.isOpen());
        assertEquals(0, gate.sessions.size());
    }
}
