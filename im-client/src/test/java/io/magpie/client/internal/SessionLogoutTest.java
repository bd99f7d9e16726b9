package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.InMemoryClientState;
import io.magpie.client.MagpieApiException;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.SyncAck;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Logout ends the session on the account API (DELETE /v1/sessions/current) before LOGOUT goes to the gate,
 * refreshing an expired access token first; the account API is a fake that records its calls, the gate's
 * side an EmbeddedChannel, time a clock moved by hand.
 */
class SessionLogoutTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Credentials FIRST = new Credentials(7, "tok-1", NOW.plus(Duration.ofMinutes(15)), "r1.5.a",
            NOW.plus(Duration.ofDays(30)));
    private static final Credentials SECOND = new Credentials(7, "tok-2", NOW.plus(Duration.ofMinutes(45)), "r1.5.b",
            NOW.plus(Duration.ofDays(30)));

    private final Instant[] now = {NOW};
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now[0];
        }
    };
    private final EmbeddedChannel timer = new EmbeddedChannel();
    private final ConnectionSupervisorTest.EmbeddedConnector connector = new ConnectionSupervisorTest.EmbeddedConnector();
    private final ConnectionSupervisorTest.Recorder recorder = new ConnectionSupervisorTest.Recorder();
    private final Listeners listeners = new Listeners();
    private final FakeAccountApi api = new FakeAccountApi();
    private final ConnectionSupervisor supervisor;
    private final SessionLogout logout = new SessionLogout(api, clock, "dev-1");

    SessionLogoutTest() {
        listeners.add(recorder);
        timer.freezeTime();
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5);
        ConnectionSupervisor[] self = new ConnectionSupervisor[1];
        DeliveryCoordinator delivery = new DeliveryCoordinator(new InMemoryClientState(), listeners,
                () -> self[0].current(), timer.eventLoop(), backoff, 100, 100);
        self[0] = new ConnectionSupervisor(connector, timer.eventLoop(), backoff, listeners, delivery, clock, true,
                "dev-1", "test");
        supervisor = self[0];
    }

    /** Records every call; answers with what a test queued (a call with nothing queued never completes). */
    static final class FakeAccountApi implements SessionLogout.AccountApi {
        final List<String> calls = new ArrayList<>();
        final Deque<CompletableFuture<Void>> revokeAnswers = new ArrayDeque<>();
        final Deque<CompletableFuture<Credentials>> refreshAnswers = new ArrayDeque<>();
        /** Whether the gate's connection had seen LOGOUT when each revoke was called. */
        final List<Boolean> logoutSentBeforeRevoke = new ArrayList<>();
        EmbeddedChannel watched;

        @Override
        public CompletableFuture<Void> revoke(Credentials credentials) {
            calls.add("revoke " + credentials.token());
            if (watched != null) {
                logoutSentBeforeRevoke.add(sawLogout(watched));
            }
            CompletableFuture<Void> answer = revokeAnswers.poll();
            return answer != null ? answer : new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<Credentials> refresh(Credentials credentials) {
            calls.add("refresh " + credentials.refreshToken());
            CompletableFuture<Credentials> answer = refreshAnswers.poll();
            return answer != null ? answer : new CompletableFuture<>();
        }
    }

    private static boolean sawLogout(EmbeddedChannel ch) {
        ch.runPendingTasks();
        Object f;
        boolean logout = false;
        while ((f = ch.readOutbound()) != null) {
            logout |= ((Frame) f).is(Command.LOGOUT);
        }
        return logout;
    }

    private static CompletableFuture<Void> revoked() {
        return CompletableFuture.completedFuture(null);
    }

    private static <T> CompletableFuture<T> refused(int status, String code) {
        return CompletableFuture.failedFuture(new MagpieApiException(status, code, "refused by the test"));
    }

    private EmbeddedChannel connected() throws Exception {
        CompletableFuture<LoginAck> f = supervisor.connect(FIRST);
        EmbeddedChannel ch = connector.last();
        Frame login = ch.readOutbound();
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(),
                LoginAck.newBuilder().setUid(7).setDeviceId("dev-1").setGateId("gate").setHeartbeatSeconds(30).build()));
        ch.runPendingTasks();
        Frame sync = ch.readOutbound();
        ch.writeInbound(Frames.of(Command.SYNC_ACK, sync.requestId(), SyncAck.getDefaultInstance()));
        f.get(0, TimeUnit.SECONDS);
        api.watched = ch;
        return ch;
    }

    private void elapse(Duration d) {
        timer.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        timer.runScheduledPendingTasks();
        timer.runPendingTasks();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void theSessionIsRevokedOverHttpFirstAndThenTheGateIsToldLogout() throws Exception {
        EmbeddedChannel ch = connected();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        api.revokeAnswers.add(answer);

        CompletableFuture<Void> done = logout.logout(supervisor);

        assertEquals(List.of("revoke tok-1"), api.calls);
        assertEquals(List.of(false), api.logoutSentBeforeRevoke, "LOGOUT first would make the API refuse the token");
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state(), "no reconnect from the moment logout is called");
        assertFalse(done.isDone());
        assertTrue(ch.isActive());

        answer.complete(null);

        assertTrue(sawLogout(ch), "then LOGOUT on the connection");
        assertFalse(ch.isActive());
        assertNull(done.get(0, TimeUnit.SECONDS));
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void theKickTheRevocationCausesIsExpectedAndNotReported() throws Exception {
        EmbeddedChannel ch = connected();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        api.revokeAnswers.add(answer);
        CompletableFuture<Void> done = logout.logout(supervisor);

        // the account API kicks the device's live connections while it answers
        ch.writeInbound(Frames.of(Command.KICK, 0, Kick.newBuilder().setReason(KickReason.TOKEN_REVOKED).build()));
        answer.complete(null);

        assertNull(done.get(0, TimeUnit.SECONDS));
        assertTrue(recorder.kicks.isEmpty());
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void anExpiredAccessTokenIsRefreshedAndTheFreshOneRevoked() throws Exception {
        EmbeddedChannel ch = connected();
        now[0] = NOW.plus(Duration.ofHours(2)); // connected for longer than the 15-minute access token lives
        api.refreshAnswers.add(CompletableFuture.completedFuture(SECOND));
        api.revokeAnswers.add(revoked());

        CompletableFuture<Void> done = logout.logout(supervisor);

        assertNull(done.get(0, TimeUnit.SECONDS));
        assertEquals(List.of("refresh r1.5.a", "revoke tok-2"), api.calls);
        assertFalse(ch.isActive());
    }

    @Test
    void aRefusedAccessTokenIsRefreshedOnceAndTheRevocationTriedAgain() throws Exception {
        connected();
        api.revokeAnswers.add(refused(401, "UNAUTHORIZED"));
        api.revokeAnswers.add(revoked());
        api.refreshAnswers.add(CompletableFuture.completedFuture(SECOND));

        assertNull(logout.logout(supervisor).get(0, TimeUnit.SECONDS));

        assertEquals(List.of("revoke tok-1", "refresh r1.5.a", "revoke tok-2"), api.calls);
    }

    @Test
    void aSessionThatHadAlreadyEndedCountsAsLoggedOut() throws Exception {
        EmbeddedChannel ch = connected();
        api.revokeAnswers.add(refused(401, "UNAUTHORIZED"));
        api.refreshAnswers.add(refused(401, "INVALID_REFRESH_TOKEN"));

        assertNull(logout.logout(supervisor).get(0, TimeUnit.SECONDS));

        assertEquals(List.of("revoke tok-1", "refresh r1.5.a"), api.calls);
        assertTrue(sawLogout(ch));
    }

    @Test
    void anUnreachableAccountApiFailsTheLogoutRetryablyButTheGateIsStillToldLogout() throws Exception {
        EmbeddedChannel ch = connected();
        api.revokeAnswers.add(refused(0, "UNREACHABLE"));

        CompletableFuture<Void> done = logout.logout(supervisor);

        MagpieApiException e = assertInstanceOf(MagpieApiException.class, failure(done));
        assertEquals(0, e.status());
        assertEquals("UNREACHABLE", e.code());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("[uid=7 device=dev-1]") && e.getMessage().contains(
                "DELETE /v1/sessions/current") && e.getMessage().contains("refresh token may keep working"),
                e.getMessage());
        assertTrue(sawLogout(ch));
        assertFalse(ch.isActive());
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void aServerErrorWhileRefreshingFailsTheLogoutWithThatStatus() throws Exception {
        connected();
        now[0] = NOW.plus(Duration.ofHours(2));
        api.refreshAnswers.add(refused(503, "SERVICE_UNAVAILABLE"));

        MagpieApiException e = assertInstanceOf(MagpieApiException.class, failure(logout.logout(supervisor)));

        assertEquals(503, e.status());
        assertTrue(e.retryable());
        assertEquals(List.of("refresh r1.5.a"), api.calls);
    }

    @Test
    void whileReconnectingTheSessionIsStillRevokedAndReconnectingStops() throws Exception {
        connected().close();
        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        api.revokeAnswers.add(revoked());

        assertNull(logout.logout(supervisor).get(0, TimeUnit.SECONDS));

        assertEquals(List.of("revoke tok-1"), api.calls);
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void beforeAnyConnectThereIsNothingToRevoke() throws Exception {
        assertNull(logout.logout(supervisor).get(0, TimeUnit.SECONDS));

        assertTrue(api.calls.isEmpty());
    }

    @Test
    void anExpiredAccessTokenWithoutARefreshTokenLeavesNothingToRevoke() throws Exception {
        Credentials bare = new Credentials(7, "tok-0", NOW.plus(Duration.ofMinutes(15)));
        now[0] = NOW.plus(Duration.ofHours(1));

        assertNull(logout.revoke(bare).get(0, TimeUnit.SECONDS));

        assertTrue(api.calls.isEmpty());
    }
}
