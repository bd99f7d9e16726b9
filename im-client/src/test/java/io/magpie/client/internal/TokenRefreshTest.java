package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.InMemoryClientState;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieErrorException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A long-running client keeps reconnecting after its 15-minute access token expired: it refreshes first. */
class TokenRefreshTest {

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
    private final List<Credentials> refreshedWith = new ArrayList<>();
    private final Deque<CompletableFuture<Credentials>> refreshAnswers = new ArrayDeque<>();
    private final List<Credentials> told = new ArrayList<>();
    private final Listeners listeners = new Listeners();
    private final ConnectionSupervisor supervisor;

    TokenRefreshTest() {
        listeners.add(recorder);
        listeners.add(new io.magpie.client.MessageListener() {
            @Override
            public void onCredentialsRefreshed(Credentials credentials) {
                told.add(credentials);
            }
        });
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5);
        ConnectionSupervisor[] self = new ConnectionSupervisor[1];
        DeliveryCoordinator delivery = new DeliveryCoordinator(new InMemoryClientState(), listeners,
                () -> self[0].current(), timer.eventLoop(), backoff, 100, 100);
        self[0] = new ConnectionSupervisor(connector, timer.eventLoop(), backoff, listeners, delivery, clock, true,
                "dev-1", "test", creds -> {
                    refreshedWith.add(creds);
                    return refreshAnswers.poll();
                });
        supervisor = self[0];
    }

    private String loginToken(EmbeddedChannel ch) {
        Frame login = ch.readOutbound();
        assertTrue(login.is(Command.LOGIN));
        return Frames.parse(login, LoginRequest.parser()).getToken();
    }

    private void accept(EmbeddedChannel ch) {
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, 1,
                LoginAck.newBuilder().setUid(7).setDeviceId("dev-1").setGateId("gate").setHeartbeatSeconds(30).build()));
        ch.runPendingTasks();
        Frame sync = ch.readOutbound();
        ch.writeInbound(Frames.of(Command.SYNC_ACK, sync.requestId(), SyncAck.getDefaultInstance()));
    }

    private void connected() throws Exception {
        CompletableFuture<LoginAck> f = supervisor.connect(FIRST);
        EmbeddedChannel ch = connector.last();
        assertEquals("tok-1", loginToken(ch));
        accept(ch);
        f.get(0, TimeUnit.SECONDS);
    }

    private void elapse(Duration d) {
        timer.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        timer.runScheduledPendingTasks();
        timer.runPendingTasks();
    }

    @Test
    void aDropAfterTheAccessTokenExpiredRefreshesFirstThenReconnectsWithTheNewToken() throws Exception {
        connected();
        now[0] = NOW.plus(Duration.ofMinutes(20)); // the access token expired while connected
        refreshAnswers.add(CompletableFuture.completedFuture(SECOND));

        connector.last().close();
        elapse(Duration.ofSeconds(1));

        assertEquals(List.of(FIRST), refreshedWith);
        assertEquals(2, connector.channels.size());
        assertEquals("tok-2", loginToken(connector.last()));
        accept(connector.last());
        assertEquals(ConnectionState.CONNECTED, supervisor.state());
        assertEquals(List.of(SECOND), told, "the application learns the new refresh token");
        assertEquals(SECOND, supervisor.credentials());
    }

    @Test
    void aTokenRefusedAtReconnectIsRefreshedOnceAndTheLoginRetried() throws Exception {
        connected();
        refreshAnswers.add(CompletableFuture.completedFuture(SECOND));

        connector.last().close();
        elapse(Duration.ofSeconds(1));
        EmbeddedChannel second = connector.last();
        assertEquals("tok-1", loginToken(second)); // not expired: used as is
        second.writeInbound(Frames.error(1, Command.LOGIN, ErrorCode.INVALID_TOKEN, "session revoked"));
        elapse(Duration.ofMillis(1));

        assertEquals(List.of(FIRST), refreshedWith);
        assertEquals(3, connector.channels.size());
        assertEquals("tok-2", loginToken(connector.last()));
        accept(connector.last());
        assertEquals(ConnectionState.CONNECTED, supervisor.state());
    }

    @Test
    void aRefusedRefreshStopsReconnectingWithInvalidToken() throws Exception {
        connected();
        now[0] = NOW.plus(Duration.ofMinutes(20));
        refreshAnswers.add(CompletableFuture.failedFuture(
                new MagpieApiException(401, "REFRESH_TOKEN_REUSED", "this refresh token was already used")));

        connector.last().close();
        elapse(Duration.ofSeconds(1));

        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        assertEquals(1, connector.channels.size(), "no login with a dead token");
        assertEquals(ErrorCode.INVALID_TOKEN, ((MagpieErrorException) recorder.errors.get(0)).code());
        elapse(Duration.ofMinutes(5));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void anUnreachableAccountApiIsRetriedWithBackoff() throws Exception {
        connected();
        now[0] = NOW.plus(Duration.ofMinutes(20));
        refreshAnswers.add(CompletableFuture.failedFuture(new MagpieApiException(0, "UNREACHABLE", "refused")));
        refreshAnswers.add(CompletableFuture.completedFuture(SECOND));

        connector.last().close();
        elapse(Duration.ofSeconds(1));
        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        elapse(Duration.ofSeconds(5));

        assertEquals(2, refreshedWith.size());
        assertEquals("tok-2", loginToken(connector.last()));
    }
}
